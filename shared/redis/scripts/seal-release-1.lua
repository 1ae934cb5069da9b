-- Gives up the lock of a stream's sealer, if this sealer holds it, so that another worker takes
-- over at its next interval instead of after the lock expires.
--
-- KEYS[1] the stream's sealer lock
-- ARGV[1] this sealer's token
--
-- Reply: 1 when the lock was released, 0 when another sealer (or none) held it.

if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
