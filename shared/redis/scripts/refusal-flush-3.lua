-- Sums up the closed seconds of refusals over the unauthenticated budget: for each pending second
-- before the current one, appends its first refusal's event with `"suppressed": n - 1` (the JSON
-- object reopened before its closing brace) and forgets the second, in the same step.
--
-- KEYS[1] the shard's refusal hash
-- KEYS[2] the shard's sorted set of pending seconds
-- KEYS[3] the shard's audit stream
-- ARGV[1] at most how many seconds to sum up in this call
-- ARGV[2] the stream entry's field that holds the event
--
-- Reply: how many seconds were summed up.

local closed = tonumber(redis.call('TIME')[1]) - 1
local members = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', closed, 'LIMIT', 0, tonumber(ARGV[1]))
for _, member in ipairs(members) do
  local n = tonumber(redis.call('HGET', KEYS[1], member .. '|n') or '0')
  local event = redis.call('HGET', KEYS[1], member .. '|e')
  if event and n > 0 then
    redis.call('XADD', KEYS[3], '*', ARGV[2], string.sub(event, 1, -2) .. ',"suppressed":' .. (n - 1) .. '}')
  end
  redis.call('HDEL', KEYS[1], member .. '|n', member .. '|e')
  redis.call('ZREM', KEYS[2], member)
end
return #members
