/*
 * Lua scripts of the TaskStateStore. Every script receives the store's key base (`<prefix>:ts`) as ARGV[1] and builds
 * its keys from it (single-instance Redis; see TaskStateStore for the layout). Each runs atomically, so admission by
 * several api replicas at once never over-admits.
 */

/**
 * Loads the pause set (`<base>:paused`: BullMQ queue names `tasks` / `tasks-<tag>`, and `<queue>:<projectId>` for one
 * project's tasks in a queue) and defines `held(tag, projectId)`: whether a task of that queue and project is held
 * back. Mirrors `isHeld` in queue-pause.ts. The set is small (one entry per pause), so it is read whole.
 */
const PAUSED_FN = `
local paused = {}
for _, entry in ipairs(redis.call('SMEMBERS', base .. ':paused')) do paused[entry] = true end
local function held(tag, p)
  if next(paused) == nil then return false end
  local q = 'tasks'
  if tag and tag ~= '' then q = 'tasks-' .. tag end
  return paused[q] == true or paused[q .. ':' .. p] == true
end
`;

/** ARGV: base, id, projectId, templateId, parallel (0|1), projectMax, tag, state (waiting|active). 1 = registered. */
export const REGISTER_LUA = `
local base, id = ARGV[1], ARGV[2]
local tk = base .. ':task:' .. id
if redis.call('EXISTS', tk) == 1 then return 0 end
redis.call('HSET', tk, 'p', ARGV[3], 't', ARGV[4], 'par', ARGV[5], 'pmax', ARGV[6], 'tag', ARGV[7], 'st', ARGV[8])
if ARGV[8] == 'active' then
  redis.call('SADD', base .. ':active', id)
  redis.call('SADD', base .. ':project:' .. ARGV[3] .. ':active', id)
  redis.call('SADD', base .. ':template:' .. ARGV[4] .. ':active', id)
else
  redis.call('ZADD', base .. ':waiting', tonumber(id), id)
end
return 1
`;

/**
 * ARGV: base, globalLimit (0 = unlimited), scanLimit. Walks the waiting tasks in FIFO order (task id) and moves those
 * that fit into the active sets. A task that does not fit blocks the later tasks of its template (FIFO within a
 * template) but not those of other templates. A task of a paused queue (or of a project paused in its queue) is passed
 * over: it keeps its place, takes no slot and blocks nothing. Returns a flat list: id, projectId, tag, id, ...
 */
export const ADMIT_LUA = `
local base = ARGV[1]
local globalLimit = tonumber(ARGV[2])
local waitingKey, activeKey = base .. ':waiting', base .. ':active'
local active = redis.call('SCARD', activeKey)
if globalLimit > 0 and active >= globalLimit then return {} end
${PAUSED_FN}
local ids = redis.call('ZRANGE', waitingKey, 0, tonumber(ARGV[3]) - 1)
local blocked, projectCount, admitted = {}, {}, {}
for _, id in ipairs(ids) do
  if globalLimit > 0 and active >= globalLimit then break end
  local tk = base .. ':task:' .. id
  local h = redis.call('HMGET', tk, 'p', 't', 'par', 'pmax', 'tag')
  local p, t = h[1], h[2]
  if not p then
    redis.call('ZREM', waitingKey, id)
  elseif not blocked[t] and not held(h[5], p) then
    local fits = true
    local templateKey = base .. ':template:' .. t .. ':active'
    if h[3] ~= '1' and redis.call('SCARD', templateKey) > 0 then fits = false end
    local projectKey = base .. ':project:' .. p .. ':active'
    local pmax = tonumber(h[4]) or 0
    if fits and pmax > 0 then
      projectCount[p] = projectCount[p] or redis.call('SCARD', projectKey)
      if projectCount[p] >= pmax then fits = false end
    end
    if fits then
      redis.call('ZREM', waitingKey, id)
      redis.call('SADD', activeKey, id)
      redis.call('SADD', projectKey, id)
      redis.call('SADD', templateKey, id)
      redis.call('HSET', tk, 'st', 'active')
      active = active + 1
      if projectCount[p] then projectCount[p] = projectCount[p] + 1 end
      table.insert(admitted, id)
      table.insert(admitted, p)
      table.insert(admitted, h[5] or '')
    else
      blocked[t] = true
    end
  end
end
return admitted
`;

/** ARGV: base, id. Removes the task from the waiting list or the active sets. 1 = it was registered. */
export const RELEASE_LUA = `
local base, id = ARGV[1], ARGV[2]
local tk = base .. ':task:' .. id
local h = redis.call('HMGET', tk, 'p', 't')
redis.call('ZREM', base .. ':waiting', id)
redis.call('SREM', base .. ':active', id)
if h[1] then redis.call('SREM', base .. ':project:' .. h[1] .. ':active', id) end
if h[2] then redis.call('SREM', base .. ':template:' .. h[2] .. ':active', id) end
redis.call('DEL', tk)
if h[1] then return 1 end
return 0
`;

/**
 * ARGV: base, id. Called before a job is added for an admitted task: when its queue (or its project in that queue) is
 * paused, the task goes back to the waiting list in its FIFO place and its slot is freed. 1 = do not add a job (held
 * back, or no longer admitted at all); 0 = admitted and not paused: add the job.
 */
export const HOLD_LUA = `
local base, id = ARGV[1], ARGV[2]
local tk = base .. ':task:' .. id
local h = redis.call('HMGET', tk, 'p', 't', 'tag', 'st')
if not h[1] or h[4] ~= 'active' then return 1 end
${PAUSED_FN}
if not held(h[3], h[1]) then return 0 end
redis.call('SREM', base .. ':active', id)
redis.call('SREM', base .. ':project:' .. h[1] .. ':active', id)
redis.call('SREM', base .. ':template:' .. h[2] .. ':active', id)
redis.call('ZADD', base .. ':waiting', tonumber(id), id)
redis.call('HSET', tk, 'st', 'waiting')
return 1
`;
