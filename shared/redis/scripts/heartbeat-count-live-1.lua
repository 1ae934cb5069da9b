-- Counts the workers that beat recently, by Redis's clock.
--
-- KEYS[1] the sorted set of worker heartbeats
-- ARGV[1] how recent a beat must be, in ms
--
-- Reply: the number of members that beat within ARGV[1] ms.

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
return redis.call('ZCOUNT', KEYS[1], now - tonumber(ARGV[1]), '+inf')
