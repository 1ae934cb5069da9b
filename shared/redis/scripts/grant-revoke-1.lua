-- Revokes one grant, if it is still there (an expired grant must not come back as a key without
-- a lifetime).
--
-- KEYS[1] the grant's hash
--
-- Reply: 1 when this call revoked a live grant; 0 when it is gone or was revoked already.

if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
return redis.call('HSETNX', KEYS[1], 'revoked', '1')
