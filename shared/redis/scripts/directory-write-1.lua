-- Writes or deletes one directory record, unless the store holds a newer version of it.
--
-- A record is one string: its text when it has no version, `v<version>:<text>` when it has one,
-- the text being its JSON (`{...}`) or, for activities and attachments, a compact form that starts
-- with U+001E (shared/domain/directory-codec.ts); a tombstone (left by a versioned delete, expiring)
-- is `t<version>`, so that an older write arriving late cannot bring the record back. Readers find
-- no record in a tombstone.
--
-- KEYS[1] the record's key
-- ARGV[1] "put" (write ARGV[3]), "del" (delete; a versioned one leaves a tombstone) or "drop"
--         (delete a record, leaving any tombstone be: a replace removing what its file lacks)
-- ARGV[2] the write's version, "" for none: a write without a version applies unconditionally
-- ARGV[3] the record's text ("put"), else ""
-- ARGV[4] a tombstone's lifetime in seconds
-- ARGV[5] "1" to return the stored record, "0" not to (bulk writes need not carry it back)
--
-- Reply: {outcome, stored version or "", stored record's text or nil}, the stored ones as they were before
-- outcome: "created" or "replaced" (put), "deleted" or "absent" (del, drop), "unchanged" (same
-- version: nothing written), "stale" (lower version: nothing written)

local stored = redis.call('GET', KEYS[1])
local record, version = false, false
if stored then
  local first = string.byte(stored, 1)
  if first == 118 then -- v<version>:<JSON>
    local colon = string.find(stored, ':', 2, true)
    version = string.sub(stored, 2, colon - 1)
    record = string.sub(stored, colon + 1)
  elseif first == 116 then -- t<version>
    version = string.sub(stored, 2)
  else
    record = stored
  end
end
local before = false
if ARGV[5] == '1' then before = record end
local storedVersion = version or ''

if ARGV[2] ~= '' and version then
  local new, old = tonumber(ARGV[2]), tonumber(version)
  if new < old then return {'stale', storedVersion, before} end
  if new == old then return {'unchanged', storedVersion, before} end
end

if ARGV[1] == 'put' then
  -- SET drops a tombstone's expiry with it.
  if ARGV[2] == '' then
    redis.call('SET', KEYS[1], ARGV[3])
  else
    redis.call('SET', KEYS[1], 'v' .. ARGV[2] .. ':' .. ARGV[3])
  end
  if record then return {'replaced', storedVersion, before} end
  return {'created', storedVersion, before}
end

if ARGV[1] == 'drop' then
  if not record then return {'absent', storedVersion, before} end
  redis.call('DEL', KEYS[1])
  return {'deleted', storedVersion, before}
end

if ARGV[2] ~= '' then
  redis.call('SET', KEYS[1], 't' .. ARGV[2], 'EX', ARGV[4])
elseif stored then
  redis.call('DEL', KEYS[1])
end
if record then return {'deleted', storedVersion, before} end
return {'absent', storedVersion, before}
