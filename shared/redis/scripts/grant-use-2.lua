-- Counts one use of a grant (a GET of its download link), atomically: concurrent redeems never pass
-- the grant's limit in all, and a job that runs again (a retry, a worker killed mid-redeem) finds
-- its use already counted instead of counting it twice.
--
-- KEYS[1] the grant's hash (fields `revoked`, `max`, `used`)
-- KEYS[2] the redeem job's own hash (BullMQ's): it exists as long as the job can run again
-- ARGV[1] the field of KEYS[2] that marks the job's use counted
--
-- Reply: 'ok' when the use is counted (now or by an earlier run of the job); 'unknown' when the
-- grant is gone (expired); 'revoked'; 'used_up' when its limit is reached.

if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then return 'ok' end
if redis.call('EXISTS', KEYS[1]) == 0 then return 'unknown' end
local grant = redis.call('HMGET', KEYS[1], 'revoked', 'max', 'used')
if grant[1] == '1' then return 'revoked' end
local max = tonumber(grant[2]) or 0
if max > 0 and (tonumber(grant[3]) or 0) >= max then return 'used_up' end
redis.call('HINCRBY', KEYS[1], 'used', 1)
if redis.call('EXISTS', KEYS[2]) == 1 then redis.call('HSET', KEYS[2], ARGV[1], '1') end
return 'ok'
