-- Raises the revocation epoch of one attachment or one actor. Each grant keeps the epochs it read
-- when it was issued; a redeem refuses a grant whose epoch is now lower. A grant whose issue read
-- the epoch before this call (every grant issued before it) is thus revoked, one that reads it
-- afterwards is not: the order is this key's, with no clock of any process involved.
--
-- The new epoch is above the old one and at least this server's time in ms. The key outlives every
-- grant issued under its older epochs (ARGV[1] is at least the longest a grant lives); once it has
-- expired, the grants still alive read its last epoch or a lower one, and the next raise, at least
-- the time now, lies above that by the key's whole lifetime.
--
-- KEYS[1] the epoch's key (an attachment's or an actor's)
-- ARGV[1] how long the key lives after this raise, in ms
--
-- Reply: the new epoch.

local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local epoch = math.max((tonumber(redis.call('GET', KEYS[1])) or 0) + 1, now)
redis.call('SET', KEYS[1], string.format('%d', epoch), 'PX', ARGV[1])
return epoch
