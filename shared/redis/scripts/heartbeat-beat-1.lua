-- Scores a worker's heartbeat with Redis's clock, and drops the members silent for too long.
--
-- KEYS[1] the sorted set of worker heartbeats
-- ARGV[1] the member (`<worker id>/<shard count>`)
-- ARGV[2] after how many ms of silence a member is dropped
--
-- Reply: now, in epoch ms of Redis's clock.

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
return now
