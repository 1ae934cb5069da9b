-- Counts one refusal over the unauthenticated budget in the current second of Redis's clock,
-- keeping the audit event of the second's first refusal.
--
-- KEYS[1] the shard's refusal hash (`<second>|<address>|n` the count, `|e` the first event)
-- KEYS[2] the shard's sorted set of pending `<second>|<address>` members, scored by the second
-- ARGV[1] the client address
-- ARGV[2] the refusal's audit event (JSON)
-- ARGV[3] the keys' time to live, in ms
--
-- Reply: the count of this address's refusals in this second so far.

local second = redis.call('TIME')[1]
local member = second .. '|' .. ARGV[1]
local n = redis.call('HINCRBY', KEYS[1], member .. '|n', 1)
if n == 1 then
  redis.call('HSET', KEYS[1], member .. '|e', ARGV[2])
  redis.call('ZADD', KEYS[2], second, member)
end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return n
