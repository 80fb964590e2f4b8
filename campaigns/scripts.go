package campaigns

import "github.com/redis/go-redis/v9"

// Redis layout. Every key of campaign C starts with the hash tag "{c:C}"
// (KEYS[1] of every script), so a script touches one slot:
//
//	{c:C}:cfg            string  the Config as JSON
//	{c:C}:rules          hash    max_attempts and retry delays in ms, for scripts
//	{c:C}:state          string  stopped|running|paused (missing: stopped)
//	{c:C}:fence          string  the current fencing token (INCR on each new lease)
//	{c:C}:lease          hash    owner, token; PEXPIRE ttl
//	{c:C}:seq            string  attempt sequence; attempt id is "C-<seq>"
//	{c:C}:l:<lead>       hash    id ext phone name prio tz data status attempts next last
//	{c:C}:q:<prio>:<tz>  zset    pending leads of one priority and time zone, by next-eligible ms
//	{c:C}:qidx           zset    "<prio>|<tz>" of the non-empty queues, by priority
//	{c:C}:zones          set     time zones that have (or had) pending leads; "" = campaign's
//	{c:C}:inflight       hash    attempt id -> lead \t seq \t started ms \t started RFC 3339 \t number
//	{c:C}:counts         hash    leads by status
//	{c:C}:totals         hash    attempts, live, connected, abandoned
//	{c:C}:conn           set     attempts in flight already counted as connected
//	{c:C}:awm:<minute>   hash    live, abandoned in that minute (expires after 26 h)
//	{c:C}:awh:<hour>     hash    live, abandoned in that hour (expires after 35 days)
//	{c:C}:attempts       stream  the attempt log, never trimmed
//	{c:C}:dispositions   stream  agents' dispositions
//	dialer:campaigns     set     campaign ids (the only key outside a campaign's slot)
const indexKey = "dialer:campaigns"

func prefix(id string) string { return "{c:" + id + "}" }

// luaLib is prepended to scripts that move leads between queues.
const luaLib = `
local function qkey(p, prio, tz) return p .. ':q:' .. prio .. ':' .. tz end
local function enqueue(p, id, prio, tz, score)
  redis.call('ZADD', qkey(p, prio, tz), score, id)
  redis.call('ZADD', p .. ':qidx', prio, prio .. '|' .. tz)
  redis.call('SADD', p .. ':zones', tz)
end
local function dequeue(p, id, prio, tz)
  local q = qkey(p, prio, tz)
  redis.call('ZREM', q, id)
  if redis.call('EXISTS', q) == 0 then redis.call('ZREM', p .. ':qidx', prio .. '|' .. tz) end
end
local function move(p, from, to, n)
  n = n or 1
  if from then redis.call('HINCRBY', p .. ':counts', from, -n) end
  if to then redis.call('HINCRBY', p .. ':counts', to, n) end
end
local function split(s)
  local t, start = {}, 1
  while true do
    local i = string.find(s, '\t', start, true)
    if not i then
      t[#t + 1] = string.sub(s, start)
      return t
    end
    t[#t + 1] = string.sub(s, start, i - 1)
    start = i + 1
  end
end
-- requeue puts a dialing lead back to pending, eligible at score, without
-- counting the attempt.
local function requeue(p, lead, score, outcome)
  local k = p .. ':l:' .. lead
  local l = redis.call('HMGET', k, 'status', 'attempts', 'prio', 'tz')
  if l[1] ~= 'dialing' then return end
  local att = tonumber(l[2]) - 1
  if att < 0 then att = 0 end
  redis.call('HSET', k, 'status', 'pending', 'attempts', att, 'next', score, 'last', outcome)
  enqueue(p, lead, l[3], l[4], score)
  move(p, 'dialing', 'pending')
end
`

// saveScript: ARGV cfg-json, max_attempts, busy, no_answer, machine, failed, abandoned (ms).
var saveScript = redis.NewScript(`
local p = KEYS[1]
redis.call('SET', p .. ':cfg', ARGV[1])
redis.call('HSET', p .. ':rules', 'max_attempts', ARGV[2], 'busy', ARGV[3], 'no_answer', ARGV[4],
  'machine', ARGV[5], 'failed', ARGV[6], 'abandoned', ARGV[7])
return 1
`)

// setStateScript: ARGV state.
var setStateScript = redis.NewScript(`
local p = KEYS[1]
if redis.call('EXISTS', p .. ':cfg') == 0 then return redis.error_reply('NOTFOUND') end
redis.call('SET', p .. ':state', ARGV[1])
return 1
`)

// acquireScript: ARGV owner, ttl ms. Returns {token, ok}.
var acquireScript = redis.NewScript(`
local p = KEYS[1]
if redis.call('EXISTS', p .. ':cfg') == 0 then return redis.error_reply('NOTFOUND') end
local cur = redis.call('HMGET', p .. ':lease', 'owner', 'token')
if cur[1] then
  if cur[1] ~= ARGV[1] then return {0, 0} end
  redis.call('PEXPIRE', p .. ':lease', ARGV[2])
  return {tonumber(cur[2]), 1}
end
local tok = redis.call('INCR', p .. ':fence')
redis.call('HSET', p .. ':lease', 'owner', ARGV[1], 'token', tok)
redis.call('PEXPIRE', p .. ':lease', ARGV[2])
return {tok, 1}
`)

// renewScript: ARGV owner, token, ttl ms. A lapsed lease that nobody took
// since (the fencing token is still ours) is taken back.
var renewScript = redis.NewScript(`
local p = KEYS[1]
local cur = redis.call('HMGET', p .. ':lease', 'owner', 'token')
if cur[1] then
  if cur[1] ~= ARGV[1] or cur[2] ~= ARGV[2] then return 0 end
  redis.call('PEXPIRE', p .. ':lease', ARGV[3])
  return 1
end
if redis.call('GET', p .. ':fence') ~= ARGV[2] then return 0 end
redis.call('HSET', p .. ':lease', 'owner', ARGV[1], 'token', ARGV[2])
redis.call('PEXPIRE', p .. ':lease', ARGV[3])
return 1
`)

// releaseScript: ARGV owner, token.
var releaseScript = redis.NewScript(`
local p = KEYS[1]
local cur = redis.call('HMGET', p .. ':lease', 'owner', 'token')
if cur[1] == ARGV[1] and cur[2] == ARGV[2] then redis.call('DEL', p .. ':lease') return 1 end
return 0
`)

// importScript: ARGV now-ms, then 7 per lead: id ext phone name prio tz data.
// Returns {imported, updated}.
var importScript = redis.NewScript(luaLib + `
local p = KEYS[1]
local now = ARGV[1]
local imported, updated, newPending = 0, 0, 0
for i = 2, #ARGV, 7 do
  local id, ext, phone, name, prio, tz, data = ARGV[i], ARGV[i+1], ARGV[i+2], ARGV[i+3], ARGV[i+4], ARGV[i+5], ARGV[i+6]
  local k = p .. ':l:' .. id
  local old = redis.call('HMGET', k, 'status', 'prio', 'tz', 'phone', 'next')
  local st = old[1]
  if not st then
    redis.call('HSET', k, 'id', id, 'ext', ext, 'phone', phone, 'name', name, 'prio', prio, 'tz', tz,
      'data', data, 'status', 'pending', 'attempts', 0, 'next', now, 'last', '')
    enqueue(p, id, prio, tz, now)
    newPending = newPending + 1
    imported = imported + 1
  else
    redis.call('HSET', k, 'ext', ext, 'phone', phone, 'name', name, 'prio', prio, 'tz', tz, 'data', data)
    if st == 'pending' then
      if old[2] ~= prio or old[3] ~= tz then
        dequeue(p, id, old[2], old[3])
        enqueue(p, id, prio, tz, old[5])
      end
    elseif st == 'invalid' and old[4] ~= phone then
      redis.call('HSET', k, 'status', 'pending', 'next', now)
      enqueue(p, id, prio, tz, now)
      move(p, 'invalid', 'pending')
    end
    updated = updated + 1
  end
end
if newPending > 0 then move(p, nil, 'pending', newPending) end
return {imported, updated}
`)

// startScript: ARGV token, now-ms, now-rfc3339, n, campaign id, open zones...
// Returns a list of {attempt id, seq, lead as HGETALL}.
var startScript = redis.NewScript(luaLib + `
local p = KEYS[1]
if redis.call('GET', p .. ':fence') ~= ARGV[1] then return redis.error_reply('FENCED') end
local now = tonumber(ARGV[2])
local nowS = ARGV[3]
local need = tonumber(ARGV[4])
local cid = ARGV[5]
local open = {}
for i = 6, #ARGV do open[ARGV[i]] = true end
local maxA = tonumber(redis.call('HGET', p .. ':rules', 'max_attempts') or '5')
local idx = redis.call('ZREVRANGE', p .. ':qidx', 0, -1, 'WITHSCORES')
local out = {}
local i = 1
while i <= #idx and need > 0 do
  local score = idx[i + 1]
  local buckets = {}
  while i <= #idx and idx[i + 1] == score do
    local m = idx[i]
    local bar = string.find(m, '|', 1, true)
    local tz = string.sub(m, bar + 1)
    if open[tz] then buckets[#buckets + 1] = {string.sub(m, 1, bar - 1), tz} end
    i = i + 2
  end
  local progress = true
  while need > 0 and progress and #buckets > 0 do
    progress = false
    local cands = {}
    for _, b in ipairs(buckets) do
      local r = redis.call('ZRANGEBYSCORE', p .. ':q:' .. b[1] .. ':' .. b[2], '-inf', now, 'WITHSCORES', 'LIMIT', 0, need)
      for k = 1, #r, 2 do cands[#cands + 1] = {r[k], tonumber(r[k + 1]), b[1], b[2]} end
    end
    table.sort(cands, function(a, b)
      if a[2] ~= b[2] then return a[2] < b[2] end
      return a[1] < b[1]
    end)
    for _, c in ipairs(cands) do
      if need == 0 then break end
      progress = true
      local id = c[1]
      local k = p .. ':l:' .. id
      dequeue(p, id, c[3], c[4])
      local l = redis.call('HMGET', k, 'status', 'attempts', 'phone')
      if l[1] == 'pending' then
        local att = tonumber(l[2])
        if att >= maxA then
          redis.call('HSET', k, 'status', 'exhausted')
          move(p, 'pending', 'exhausted')
        else
          local seq = redis.call('INCR', p .. ':seq')
          local aid = cid .. '-' .. seq
          att = att + 1
          redis.call('HSET', k, 'status', 'dialing', 'attempts', att)
          move(p, 'pending', 'dialing')
          redis.call('HSET', p .. ':inflight', aid, id .. '\t' .. att .. '\t' .. ARGV[2] .. '\t' .. nowS .. '\t' .. l[3])
          out[#out + 1] = {aid, att, redis.call('HGETALL', k)}
          need = need - 1
        end
      end
    end
  end
end
return out
`)

// finishScript: ARGV attempt id, outcome, action (complete|invalid|retry|requeue),
// delay field, counted, live, connected, abandoned, ended-ms (0: unknown),
// started-rfc (empty: from in flight), then field/value pairs for the log.
var finishScript = redis.NewScript(luaLib + `
local p = KEYS[1]
local aid = ARGV[1]
local v = redis.call('HGET', p .. ':inflight', aid)
if not v then return redis.error_reply('NOTINFLIGHT') end
local f = split(v)
local lead, seq, startedMs, started, number = f[1], f[2], f[3], f[4], f[5]
redis.call('HDEL', p .. ':inflight', aid)
if ARGV[10] ~= '' then started = ARGV[10] end
local entry = {'attempt', aid, 'lead', lead, 'number', number, 'seq', seq, 'started', started}
for i = 11, #ARGV do entry[#entry + 1] = ARGV[i] end
redis.call('XADD', p .. ':attempts', '*', unpack(entry))
local ended = tonumber(ARGV[9])
if ended == 0 then ended = tonumber(startedMs) end
local outcome, action = ARGV[2], ARGV[3]
if action == 'requeue' then
  requeue(p, lead, ended, outcome)
else
  local k = p .. ':l:' .. lead
  local l = redis.call('HMGET', k, 'status', 'attempts', 'prio', 'tz')
  if l[1] == 'dialing' then
    local to, next = nil, nil
    if action == 'complete' then to = 'completed'
    elseif action == 'invalid' then to = 'invalid'
    else
      local maxA = tonumber(redis.call('HGET', p .. ':rules', 'max_attempts') or '5')
      if tonumber(l[2]) >= maxA then to = 'exhausted'
      else
        to = 'pending'
        next = ended + tonumber(redis.call('HGET', p .. ':rules', ARGV[4]) or '0')
      end
    end
    if next then
      redis.call('HSET', k, 'status', to, 'last', outcome, 'next', next)
      enqueue(p, lead, l[3], l[4], next)
    else
      redis.call('HSET', k, 'status', to, 'last', outcome)
    end
    move(p, 'dialing', to)
  end
end
local t = p .. ':totals'
if ARGV[5] == '1' then redis.call('HINCRBY', t, 'attempts', 1) end
local counted = redis.call('SREM', p .. ':conn', aid)
if ARGV[7] == '1' and counted == 0 then redis.call('HINCRBY', t, 'connected', 1) end
if ARGV[6] == '1' then
  if counted == 0 then redis.call('HINCRBY', t, 'live', 1) end
  local mk = p .. ':awm:' .. math.floor(ended / 60000)
  local hk = p .. ':awh:' .. math.floor(ended / 3600000)
  redis.call('HINCRBY', mk, 'live', 1)
  redis.call('HINCRBY', hk, 'live', 1)
  if ARGV[8] == '1' then
    redis.call('HINCRBY', t, 'abandoned', 1)
    redis.call('HINCRBY', mk, 'abandoned', 1)
    redis.call('HINCRBY', hk, 'abandoned', 1)
  end
  redis.call('EXPIRE', mk, 26 * 3600)
  redis.call('EXPIRE', hk, 35 * 86400)
end
return 1
`)

// recoverScript: ARGV token, now-ms, now-rfc3339. Returns a list of
// {attempt id, seq, started rfc, number, lead as HGETALL}.
var recoverScript = redis.NewScript(luaLib + `
local p = KEYS[1]
if redis.call('GET', p .. ':fence') ~= ARGV[1] then return redis.error_reply('FENCED') end
local all = redis.call('HGETALL', p .. ':inflight')
local out = {}
for i = 1, #all, 2 do
  local aid = all[i]
  local f = split(all[i + 1])
  local lead, seq, started, number = f[1], f[2], f[4], f[5]
  redis.call('HDEL', p .. ':inflight', aid)
  redis.call('SREM', p .. ':conn', aid)
  redis.call('XADD', p .. ':attempts', '*', 'attempt', aid, 'lead', lead, 'number', number, 'seq', seq,
    'started', started, 'outcome', 'interrupted', 'ended', ARGV[3])
  requeue(p, lead, ARGV[2], 'interrupted')
  out[#out + 1] = {aid, seq, started, number, redis.call('HGETALL', p .. ':l:' .. lead)}
end
return out
`)

// connectScript: ARGV attempt id. Counts an attempt in flight as connected
// (and as a live answer) once, when the agent is bridged, so the campaign's
// totals do not wait for the call to end; finishScript then does not count
// it again in the totals. The abandon window's buckets are still filled at
// the end of the attempt (the engine adds what is pending).
var connectScript = redis.NewScript(`
local p = KEYS[1]
local aid = ARGV[1]
if redis.call('HEXISTS', p .. ':inflight', aid) == 0 then return redis.error_reply('NOTINFLIGHT') end
if redis.call('SADD', p .. ':conn', aid) == 1 then
  redis.call('HINCRBY', p .. ':totals', 'connected', 1)
  redis.call('HINCRBY', p .. ':totals', 'live', 1)
end
return 1
`)

// windowScript: ARGV key kind (awm|awh), first bucket, last bucket.
// Returns {live, abandoned}.
var windowScript = redis.NewScript(`
local p = KEYS[1]
local live, ab = 0, 0
for b = tonumber(ARGV[2]), tonumber(ARGV[3]) do
  local v = redis.call('HMGET', p .. ':' .. ARGV[1] .. ':' .. b, 'live', 'abandoned')
  live = live + (tonumber(v[1]) or 0)
  ab = ab + (tonumber(v[2]) or 0)
end
return {live, ab}
`)

// dispositionScript: ARGV field/value pairs.
var dispositionScript = redis.NewScript(`
local p = KEYS[1]
if redis.call('EXISTS', p .. ':cfg') == 0 then return redis.error_reply('NOTFOUND') end
return redis.call('XADD', p .. ':dispositions', '*', unpack(ARGV))
`)
