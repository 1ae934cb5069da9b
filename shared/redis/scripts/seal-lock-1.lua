-- Takes or keeps the lock of a stream's sealer: one worker at a time seals a stream, and a holder
-- that dies loses the lock when it expires, to whichever worker asks next.
--
-- KEYS[1] the stream's sealer lock
-- ARGV[1] this sealer's token
-- ARGV[2] the lock's time to live, in ms
--
-- Reply: 1 when this sealer holds the lock (taken, or kept and its time to live renewed), else 0.

local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if holder then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
