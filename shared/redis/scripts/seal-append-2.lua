-- Appends a signed checkpoint to a stream's seals, only while this sealer holds the stream's lock:
-- a sealer that lost it (paused past its time to live) writes nothing, and the new holder seals.
--
-- KEYS[1] the stream's sealer lock
-- KEYS[2] the stream's seals (`<stream>:seals`)
-- ARGV[1] this sealer's token
-- ARGV[2] the field that holds the checkpoint
-- ARGV[3] the checkpoint (JSON)
--
-- Reply: the checkpoint's id in the seals stream, or nil when the lock is not this sealer's.

if redis.call('GET', KEYS[1]) ~= ARGV[1] then return false end
return redis.call('XADD', KEYS[2], '*', ARGV[2], ARGV[3])
