-- Reads what one permission decision needs in one round trip: the attachment, the activity it
-- names, the actor, and whether a directory was imported at all.
--
-- One server only: the records lie in different slots, and the activity's key is known only once
-- the attachment is read, so it is built here from ARGV[1] and not passed in KEYS. On a cluster
-- the caller reads in two steps instead.
--
-- KEYS[1] the attachment's record
-- KEYS[2] the actor's record
-- KEYS[3] the import marker
-- ARGV[1] the prefix of activity records (the key is this plus the activity's id)
--
-- A stored record is its text, or "v<version>:" and its text; a tombstone ("t<version>") is no record.
-- The text is JSON, or for an activity or an attachment the compact form (shared/domain/
-- directory-codec.ts): U+001E, the attachment's activity id, then U+001F and the other fields.
--
-- Reply: {attachment text or nil, activity text or nil, actor text or nil, 1 or 0 (imported)},
-- each text as stored, without its version prefix.

local function record(stored)
  if not stored then return false end
  local first = string.byte(stored, 1)
  if first == 116 then return false end
  if first == 118 then return string.sub(stored, string.find(stored, ':', 2, true) + 1) end
  return stored
end

-- The activity an attachment names, or nil.
local function activityOf(attachment)
  if string.byte(attachment, 1) == 30 then
    local separator = string.find(attachment, '\31', 2, true)
    if separator and separator > 2 then return string.sub(attachment, 2, separator - 1) end
    return nil
  end
  local ok, decoded = pcall(cjson.decode, attachment)
  if ok and type(decoded) == 'table' and type(decoded.activity) == 'string' then return decoded.activity end
  return nil
end

local attachment = record(redis.call('GET', KEYS[1]))
local actor = record(redis.call('GET', KEYS[2]))
local loaded = redis.call('EXISTS', KEYS[3])
local activity = false
if attachment then
  local activityId = activityOf(attachment)
  if activityId then activity = record(redis.call('GET', ARGV[1] .. activityId)) end
end
return {attachment, activity, actor, loaded}
