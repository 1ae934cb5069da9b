-- Takes one token from a GCRA rate limiter (generic cell rate algorithm): the key holds the
-- theoretical arrival time, in microseconds of Redis's clock.
--
-- KEYS[1] the limiter's key (one actor's, or one client address's)
-- ARGV[1] the interval between two requests at the sustained rate, in microseconds
-- ARGV[2] the burst: how many requests may come at once
--
-- Reply: 0 when the request may go ahead (the token is taken), else how many microseconds until
-- one may.

-- Times are in microseconds. string.format keeps them integral: tostring() would print 1.7e+15.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local nextTat = tat + interval
local allowAt = nextTat - tonumber(ARGV[2]) * interval
if now < allowAt then return math.ceil(allowAt - now) end
redis.call('SET', KEYS[1], string.format('%.0f', nextTat), 'PX', math.ceil((nextTat - now) / 1000) + 1)
return 0
