-- The agents registry: every read and every state change of one pool (the
-- agents of one campaign) is one call of this script, so each is atomic.
-- All keys share the pool's hash tag {p:<campaign>}.
--
-- KEYS: 1 ready (zset idle-since ms -> agent id), 2 leases (zset lease-until
-- ms -> agent id, reserved agents), 3 holds (hash attempt id -> agent id,
-- reserved agents), 4 members (set: logged-in agents), 5 known (set: agents
-- whose record is in this pool), 6 the agent's record (hash; agent ops only).
-- ARGV: 1 op, 2 record key prefix (prefix .. id is an agent's record),
-- 3 now (unix ms), then the op's arguments.
--
-- Replies: {'OK', record as HGETALL} | {'OK', n} | {'OK', HMGET, HMGET, ...}
-- | {'E', kind, state, detail}.

local K_READY, K_LEASES, K_HOLDS, K_MEMBERS, K_KNOWN, K_REC =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local op, pfx, now = ARGV[1], ARGV[2], ARGV[3]
local nowN = tonumber(now)

local function load(key)
  local flat = redis.call('HGETALL', key)
  if #flat == 0 then return nil end
  local a = {}
  for i = 1, #flat, 2 do a[flat[i]] = flat[i + 1] end
  return a
end

local function reply(key) return {'OK', redis.call('HGETALL', key)} end

local function fail(kind, a, detail)
  local st = ''
  if a and a.state then st = a.state end
  return {'E', kind, st, detail or ''}
end

local function busy(a)
  return a.state == 'reserved' or a.state == 'talking' or a.state == 'wrapup'
end

local function unhold(a)
  if a.attempt and a.attempt ~= '' and redis.call('HGET', K_HOLDS, a.attempt) == a.id then
    redis.call('HDEL', K_HOLDS, a.attempt)
  end
end

-- leave: the agent leaves reserved (release, lease expiry, orphan) or wrap-up
-- (disposition): to paused when a pause is pending, else to ready. keepIdle
-- keeps its idle-since, that is its place in the ready queue.
local function leave(key, a, keepIdle)
  redis.call('ZREM', K_LEASES, a.id)
  unhold(a)
  if a.pending and a.pending ~= '' then
    redis.call('HSET', key, 'state', 'paused', 'reason', a.pending, 'pending', '',
      'since', now, 'attempt', '', 'lease', '0', 'idle', '0')
    redis.call('ZREM', K_READY, a.id)
    return
  end
  local idle = now
  if keepIdle and a.idle and tonumber(a.idle) > 0 then idle = a.idle end
  redis.call('HSET', key, 'state', 'ready', 'reason', '', 'since', now,
    'attempt', '', 'lease', '0', 'idle', idle)
  redis.call('ZADD', K_READY, idle, a.id)
end

-- expire sends reserved agents whose lease ended back to ready (or paused).
local function expire(limit)
  local ids = redis.call('ZRANGEBYSCORE', K_LEASES, '-inf', now, 'LIMIT', 0, limit)
  local n = 0
  for _, id in ipairs(ids) do
    local key = pfx .. id
    local a = load(key)
    if a and a.state == 'reserved' and tonumber(a.lease) <= nowN then
      leave(key, a, true)
      n = n + 1
    else
      redis.call('ZREM', K_LEASES, id)
    end
  end
  return n
end

if op == 'login' then
  -- ARGV 4 id, 5 campaign, 6 station, 7 home token
  local a = load(K_REC)
  if a and a.state ~= 'offline' then return fail('state', a) end
  if a and a.fence and tonumber(ARGV[7]) < tonumber(a.fence) then
    return fail('stale', a, a.fence)
  end
  redis.call('HSET', K_REC, 'id', ARGV[4], 'campaign', ARGV[5], 'station', ARGV[6],
    'state', 'paused', 'reason', 'login', 'pending', '', 'since', now, 'idle', '0',
    'attempt', '', 'lease', '0', 'calls', '0', 'disposition', '', 'fence', ARGV[7])
  redis.call('SADD', K_MEMBERS, ARGV[4])
  redis.call('SADD', K_KNOWN, ARGV[4])
  return reply(K_REC)

elseif op == 'fence' then
  -- The agent's home moves to another pool with token ARGV 5: refuse when it
  -- is logged in here; else fence this record so that no login carrying an
  -- older token can succeed here.
  local a = load(K_REC)
  if a and a.state ~= 'offline' then return fail('state', a) end
  if not (a and a.fence and tonumber(a.fence) >= tonumber(ARGV[5])) then
    redis.call('HSET', K_REC, 'id', ARGV[4], 'state', 'offline', 'fence', ARGV[5])
  end
  redis.call('SREM', K_KNOWN, ARGV[4])
  redis.call('SREM', K_MEMBERS, ARGV[4])
  return {'OK'}

elseif op == 'list' then
  -- Positional fields (ARGV 4...), cheaper to build and parse than HGETALL.
  local fields = {}
  for i = 4, #ARGV do fields[#fields + 1] = ARGV[i] end
  local out = {'OK'}
  for _, id in ipairs(redis.call('SMEMBERS', K_MEMBERS)) do
    out[#out + 1] = redis.call('HMGET', pfx .. id, unpack(fields))
  end
  return out

elseif op == 'counts' then
  local out = {'OK'}
  for _, id in ipairs(redis.call('SMEMBERS', K_KNOWN)) do
    local st = redis.call('HGET', pfx .. id, 'state')
    if st then out[#out + 1] = st end
  end
  return out

elseif op == 'expire' then
  -- ARGV 4 limit
  return {'OK', expire(tonumber(ARGV[4]))}

elseif op == 'reserve' then
  -- ARGV 4 attempt, 5 lease until (ms), 6 expiry limit
  local att = ARGV[4]
  expire(tonumber(ARGV[6]))
  -- A retried Reserve for the same attempt gets the same agent back.
  local held = redis.call('HGET', K_HOLDS, att)
  if held then
    local key = pfx .. held
    local a = load(key)
    if a and a.state == 'reserved' and a.attempt == att then return reply(key) end
    redis.call('HDEL', K_HOLDS, att)
  end
  while true do
    local ids = redis.call('ZRANGE', K_READY, 0, 0)
    if #ids == 0 then return fail('noagent') end
    local id = ids[1]
    local key = pfx .. id
    local a = load(key)
    redis.call('ZREM', K_READY, id)
    if a and a.state == 'ready' then
      redis.call('HSET', key, 'state', 'reserved', 'since', now, 'attempt', att,
        'lease', ARGV[5])
      redis.call('ZADD', K_LEASES, ARGV[5], id)
      redis.call('HSET', K_HOLDS, att, id)
      return reply(key)
    end
  end
end

-- Operations on one agent.
local a = load(K_REC)
if not a then return fail('notfound') end

if op == 'get' then
  return reply(K_REC)

elseif op == 'ready' then
  if a.state == 'paused' then
    redis.call('HSET', K_REC, 'state', 'ready', 'reason', '', 'since', now, 'idle', now)
    redis.call('ZADD', K_READY, now, a.id)
  elseif a.state == 'ready' then
    -- already ready: nothing changes (it keeps its place)
  elseif busy(a) and a.pending ~= '' then
    redis.call('HSET', K_REC, 'pending', '')
  else
    return fail('state', a)
  end
  return reply(K_REC)

elseif op == 'pause' then
  -- ARGV 4 reason
  if a.state == 'ready' or a.state == 'paused' then
    redis.call('ZREM', K_READY, a.id)
    redis.call('HSET', K_REC, 'state', 'paused', 'reason', ARGV[4], 'since', now, 'idle', '0')
  elseif busy(a) then
    redis.call('HSET', K_REC, 'pending', ARGV[4])
  else
    return fail('state', a)
  end
  return reply(K_REC)

elseif op == 'logout' then
  if a.state ~= 'ready' and a.state ~= 'paused' and a.state ~= 'wrapup' then
    return fail('state', a)
  end
  redis.call('ZREM', K_READY, a.id)
  redis.call('SREM', K_MEMBERS, a.id)
  redis.call('HSET', K_REC, 'state', 'offline', 'since', now, 'reason', '', 'pending', '',
    'attempt', '', 'lease', '0', 'idle', '0')
  return reply(K_REC)

elseif op == 'hold' then
  -- ARGV 4 attempt, 5 lease until (ms): reserve this very agent (preview:
  -- the agent asked for its next lead and gets that lead's call).
  if a.state ~= 'ready' then return fail('state', a) end
  redis.call('ZREM', K_READY, a.id)
  redis.call('HSET', K_REC, 'state', 'reserved', 'since', now, 'attempt', ARGV[4], 'lease', ARGV[5])
  redis.call('ZADD', K_LEASES, ARGV[5], a.id)
  redis.call('HSET', K_HOLDS, ARGV[4], a.id)
  return reply(K_REC)

elseif op == 'connect' then
  -- ARGV 4 attempt
  if a.state ~= 'reserved' or a.attempt ~= ARGV[4] then return fail('lease', a, a.attempt) end
  if tonumber(a.lease) <= nowN then
    leave(K_REC, a, true)
    return fail('lease', a, 'lease expired')
  end
  unhold(a)
  redis.call('ZREM', K_LEASES, a.id)
  redis.call('HSET', K_REC, 'state', 'talking', 'since', now, 'lease', '0', 'idle', '0')
  redis.call('HINCRBY', K_REC, 'calls', 1)
  return reply(K_REC)

elseif op == 'release' then
  -- ARGV 4 attempt
  if a.state ~= 'reserved' or a.attempt ~= ARGV[4] then return fail('lease', a, a.attempt) end
  leave(K_REC, a, true)
  return reply(K_REC)

elseif op == 'endcall' then
  -- ARGV 4 attempt
  if a.state == 'talking' and a.attempt == ARGV[4] then
    redis.call('HSET', K_REC, 'state', 'wrapup', 'since', now)
  elseif a.state == 'wrapup' and a.attempt == ARGV[4] then
    -- repeated: the call already ended
  elseif a.state == 'talking' then
    return fail('lease', a, a.attempt)
  else
    return fail('state', a)
  end
  return reply(K_REC)

elseif op == 'disposition' then
  -- ARGV 4 code
  if a.state ~= 'wrapup' then return fail('state', a) end
  local before = redis.call('HGETALL', K_REC)
  redis.call('HSET', K_REC, 'disposition', ARGV[4])
  leave(K_REC, a, false)
  return {'OK', before}
end

return redis.error_reply('agents: unknown op ' .. tostring(op))
