-- The worker's side of the reply protocol: whoever sets the result key first settles the request.
-- Appends the audit event, sets the result and publishes the reply, in that order and atomically.
--
-- KEYS[1] the job's result key
-- KEYS[2] the shard's audit stream
-- KEYS[3] the job's own hash (BullMQ's): it exists as long as the job can run again
-- ARGV[1] the reply (JSON)
-- ARGV[2] the result key's time to live, in ms
-- ARGV[3] the audit event (JSON); '' records none
-- ARGV[4] the API's reply channel
-- ARGV[5] the stream entry's field that holds the event
-- ARGV[6] '1' when the job ran after its deadline: record also over the API's tombstone, once
-- ARGV[7] the retention bound: the XADD trims entries below this id ('' trims nothing)
-- ARGV[8] the tombstone the API's claim leaves for this job
-- ARGV[9] how the reply goes out: PUBLISH, SPUBLISH (a cluster's shard channel, in this
--         script's slot), or '' when the caller publishes it after WAIT
-- ARGV[10] the field of KEYS[3] that marks the request decided
--
-- Reply: 1 when this call settled the request; 0 when a late job replaced the API's tombstone;
-- nil when an earlier run decided it and its result has expired since; else the stored result
-- (a string) that settled it.

-- The retention bound is computed by the caller, so the script reads no clock. "~" lets Redis drop
-- only whole stream nodes, which keeps the trim cheap and may keep a few older entries, but never
-- removes a younger one.
local function audit()
  if ARGV[3] == '' then return end
  if ARGV[7] == '' then
    redis.call('XADD', KEYS[2], '*', ARGV[5], ARGV[3])
  else
    redis.call('XADD', KEYS[2], 'MINID', '~', ARGV[7], '*', ARGV[5], ARGV[3])
  end
end
-- A job can run again (a retry, a stalled job taken over) for as long as its hash exists, and the
-- marker lives exactly as long, whatever the result key's TTL.
local function decided()
  if redis.call('EXISTS', KEYS[3]) == 1 then redis.call('HSET', KEYS[3], ARGV[10], '1') end
end
-- The event goes first: a script that fails half-way keeps what it already wrote, and a result
-- without its event would let the API hand out a URL that was never recorded.
if redis.call('EXISTS', KEYS[1]) == 0 then
  -- Decided by an earlier run whose result has expired since: nothing more to record or send.
  if redis.call('HEXISTS', KEYS[3], ARGV[10]) == 1 then return false end
  audit()
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  decided()
  if ARGV[9] ~= '' then redis.call(ARGV[9], ARGV[4], ARGV[1]) end
  return 1
end
-- A job run after its deadline records so only on a request the API gave up on, and only once:
-- the tombstone is replaced by this job's own answer. A request a worker settled (with its result,
-- or with this same late answer on an earlier run) gets no further event.
local existing = redis.call('GET', KEYS[1])
if ARGV[6] == '1' and existing == ARGV[8] then
  audit()
  redis.call('SET', KEYS[1], ARGV[1], 'KEEPTTL')
  decided()
  return 0
end
-- What settled the request, so that a retried job can send a reply its first run could not.
return existing
