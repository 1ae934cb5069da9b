-- The API's side of the reply protocol, at its deadline: sets the tombstone in the result key
-- unless a worker's result is there already, so that a late worker issues nothing.
--
-- KEYS[1] the job's result key
-- ARGV[1] the tombstone
-- ARGV[2] the tombstone's time to live, in ms
--
-- Reply: nil when the tombstone was set, else what the result key holds.

if redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then return false end
return redis.call('GET', KEYS[1])
