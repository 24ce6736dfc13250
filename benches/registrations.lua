-- wrk script for benches/registrations.sh: every connection does what a browser does for one
-- Registrasi Pemohon, over and over, each time as a new visitor (empty cookie jar):
--
--   1. GET  /layanan/registrasi                 200, the form: hidden `csrf` and `form_id`, and
--                                               the form-token cookie it sets
--   2. POST /layanan/registrasi                 303 -> /layanan/registrasi/berhasil?nomor=REG-…
--      a complete valid registration with a username, email and NIK no one else used
--   3. GET  the confirmation page it names      200
--
-- wrk calls request() and response() per thread, not per connection, so the script needs one
-- connection per thread (`wrk -t N -c N`); registrations.sh runs it that way, and the script
-- counts it as an error when a request is asked for while the previous one is unanswered.
--
-- A broken connection may count twice among the errors: as wrk's socket error and as the
-- request lost with it.
--
-- Arguments (after `--`): RUN, a number unique to this wrk run within one service instance (it
-- keeps usernames, emails and NIKs unique across the warm-up and the measured runs), the
-- number of clients (for the report), and DIR, a directory for one file per thread.
--
-- Each thread writes its latencies and errors to DIR/thread-RUN-ID.txt, one line per answer,
-- and done() reads those files: Debian's wrk 4.1.0 pops one value too many off a thread's
-- Lua stack when thread:get() copies a table (script_copy_value), which crashes it now and
-- then, so only numbers and strings cross between the states here.
--
-- done() prints a human summary (every error, by step and status, with the first page's
-- title and message) and one machine-readable line starting with `RESULT` that
-- registrations.sh turns into its table. Latencies are measured here with CLOCK_MONOTONIC
-- through LuaJIT's ffi: per step from request() to response(), and per registration from the
-- form's request() to the confirmation's response(). wrk's own latency histogram is printed
-- beside them but not used: on the machine this was written on (Debian's wrk 4.1.0, a VM) it
-- disagreed, counting 3-4 times more waiting than one connection has time for; done() prints
-- that check for both. Prints figures; asserts nothing.

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } sicantik_bench_timespec;
int clock_gettime(int clk_id, sicantik_bench_timespec *tp);
]]
local CLOCK_MONOTONIC = 1
local timespec = ffi.new("sicantik_bench_timespec")

--- Microseconds on the monotonic clock.
local function now_us()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, timespec)
  return tonumber(timespec.tv_sec) * 1e6 + tonumber(timespec.tv_nsec) / 1e3
end

local FORM = "/layanan/registrasi"
local DONE_PREFIX = "/layanan/registrasi/berhasil?nomor=REG-"
local STEPS = { "form", "post", "done" }

-- ----------------------------------------------------------------------------------------------
-- The main state: setup() and done()

local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

-- ----------------------------------------------------------------------------------------------
-- A thread's state: one connection, one visitor at a time

function init(args)
  run = tonumber(args[1]) or 0
  clients = tonumber(args[2]) or 0
  dir = args[3] or "."
  log_path = string.format("%s/thread-%d-%d.txt", dir, run, id)
  log = assert(io.open(log_path, "w"))
  log:setvbuf("line") -- on disk, for done(), as soon as it is written
  step = "form"
  pending = false -- a request was written and its response has not come
  calls = 0 -- calls of request()
  jar = {} -- cookies of the current visitor
  csrf, form_id, confirmation = nil, nil, nil
  seq = 0 -- registrations posted on this thread
  registered = 0 -- 303 answers to the POST that name a confirmation page
  confirmed = 0 -- confirmation pages answered 200
  lost = 0 -- requests whose connection broke before an answer (wrk counts the socket error)
  started_reg, started_req = 0, 0
end

--- application/x-www-form-urlencoded, as a browser encodes a form.
local function encode(s)
  return (tostring(s):gsub("[^%w%-%._~ ]", function(c)
    return string.format("%%%02X", string.byte(c))
  end):gsub(" ", "+"))
end

local function form_body(fields)
  local parts = {}
  for _, kv in ipairs(fields) do
    parts[#parts + 1] = encode(kv[1]) .. "=" .. encode(kv[2])
  end
  return table.concat(parts, "&")
end

local function cookie_header()
  local parts = {}
  for k, v in pairs(jar) do
    parts[#parts + 1] = k .. "=" .. v
  end
  table.sort(parts)
  return table.concat(parts, "; ")
end

local function headers(extra)
  local h = { ["Host"] = wrk.headers["Host"], ["User-Agent"] = "sicantik-bench (wrk)" }
  local c = cookie_header()
  if c ~= "" then
    h["Cookie"] = c
  end
  for k, v in pairs(extra or {}) do
    h[k] = v
  end
  return h
end

--- The registration's identity, unique for (run, thread, seq): a username, an email, and a
--- valid NIK (PP KK CC DDMMYY SSSS: province 16, any kab/kota and kecamatan digits, the birth
--- date with day + 40 for a woman, a serial 0001-9999) with the birth date the form gets.
local function identity()
  local n = (run * 1024 + id) * 1e6 + seq
  local r = n
  local serial = r % 9999 + 1
  r = math.floor(r / 9999)
  local day = r % 28 + 1
  r = math.floor(r / 28)
  local month = r % 12 + 1
  r = math.floor(r / 12)
  local yy = 50 + r % 50
  r = math.floor(r / 50)
  local kecamatan = r % 100
  r = math.floor(r / 100)
  local kabupaten = r % 100
  local nik = string.format("16%02d%02d%02d%02d%02d%04d", kabupaten, kecamatan, day + 40, month, yy, serial)
  local username = string.format("b%d-%d-%d", run, id, seq)
  return {
    username = username,
    email = username .. "@contoh.id",
    nik = nik,
    tanggal_lahir = string.format("19%02d-%02d-%02d", yy, month, day),
  }
end

local function registration()
  local who = identity()
  return form_body({
    { "csrf", csrf },
    { "form_id", form_id },
    { "username", who.username },
    { "nama", "Siti Aminah" },
    { "email", who.email },
    { "instansi", "Provinsi Sumatera Selatan" },
    { "tipe_identitas", "KTP" },
    { "nomor_identitas", who.nik },
    { "jenis_kelamin", "P" },
    { "tempat_lahir", "Palembang" },
    { "tanggal_lahir", who.tanggal_lahir },
    { "pekerjaan", "Wiraswasta" },
    { "npwp", "" },
    { "telepon", "0812-3456-7890" },
    { "alamat", "Jl. Jenderal Sudirman No. 10, Kelurahan 20 Ilir" },
    { "kabupaten", "16.71" },
    { "kode_pos", "30129" },
  })
end

function request()
  if pending then
    -- The connection broke (or was closed) before the previous answer: this visitor is gone,
    -- a new one starts on the new connection.
    lost = lost + 1
    step = "form"
  end
  calls = calls + 1
  -- wrk calls request() once on the first thread before the run, to count the requests it
  -- returns (script_verify_request); nothing is sent then.
  pending = not (id == 0 and calls == 1)
  started_req = now_us()
  if step == "form" then
    jar, csrf, form_id, confirmation = {}, nil, nil, nil
    started_reg = started_req
    return wrk.format("GET", FORM, headers())
  elseif step == "post" then
    -- A new identity for every POST, also after a failed one (which may have been stored).
    seq = seq + 1
    return wrk.format(
      "POST",
      FORM,
      headers({ ["Content-Type"] = "application/x-www-form-urlencoded" }),
      registration()
    )
  else
    return wrk.format("GET", confirmation, headers())
  end
end

local function header(hs, name)
  for k, v in pairs(hs) do
    if string.lower(k) == name then
      return v
    end
  end
  return nil
end

--- Keeps the cookies an answer sets (wrk keeps the last of repeated headers).
local function keep_cookies(hs)
  for k, v in pairs(hs) do
    if string.lower(k) == "set-cookie" then
      local name, value = string.match(v, "^%s*([^=;]+)=([^;]*)")
      if name then
        if value == "" or string.find(v, "Max-Age=0", 1, true) then
          jar[name] = nil
        else
          jar[name] = value
        end
      end
    end
  end
end

--- What an unexpected answer said: its title and the first error message on it.
local function describe(status, hs, body)
  local title = body and string.match(body, "<title>(.-)</title>") or ""
  local message = body
      and (string.match(body, 'class="field%-error"[^>]*>(.-)</p>') or string.match(body, "<main.-<p[^>]*>(.-)</p>"))
    or ""
  message = message:gsub("<[^>]+>", ""):gsub("%s+", " ")
  local location = header(hs, "location")
  local out = string.format("title %q", title)
  if message ~= "" then
    out = out .. string.format(", says %q", message:sub(1, 200))
  end
  if location then
    out = out .. ", Location " .. location
  end
  return out
end

local function fail(status, hs, body, why)
  local key = step .. " " .. status .. (why and (" " .. why) or "")
  log:write("E ", key, "\t", describe(status, hs, body), "\n")
  step = "form"
end

function response(status, hs, body)
  local finished = now_us()
  pending = false
  log:write(step, " ", finished - started_req, "\n")
  keep_cookies(hs)
  if step == "form" then
    if status ~= 200 then
      return fail(status, hs, body)
    end
    csrf = string.match(body, 'name="csrf" value="([^"]+)"')
    form_id = string.match(body, 'name="form_id" value="([^"]+)"')
    if not (csrf and form_id) then
      return fail(status, hs, body, "(no csrf/form_id in the form)")
    end
    step = "post"
  elseif step == "post" then
    local location = header(hs, "location") or ""
    if status ~= 303 or location:sub(1, #DONE_PREFIX) ~= DONE_PREFIX then
      return fail(status, hs, body)
    end
    registered = registered + 1
    confirmation = location
    step = "done"
  else
    if status ~= 200 then
      return fail(status, hs, body)
    end
    confirmed = confirmed + 1
    log:write("registration ", finished - started_reg, "\n")
    step = "form"
  end
end

-- ----------------------------------------------------------------------------------------------
-- The report, in the main state

local function percentile(sorted, p)
  if #sorted == 0 then
    return 0 / 0
  end
  local i = math.max(1, math.ceil(#sorted * p / 100))
  return sorted[i]
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local total = { registered = 0, confirmed = 0, lost = 0 }
  local all = { form = {}, post = {}, done = {}, registration = {} }
  local errors, samples = {}, {}
  for _, t in ipairs(threads) do
    for _, k in ipairs({ "registered", "confirmed", "lost" }) do
      total[k] = total[k] + (t:get(k) or 0)
    end
    local f = assert(io.open(t:get("log_path")))
    for line in f:lines() do
      local kind, rest = string.match(line, "^(%S+) (.*)$")
      if kind == "E" then
        local key, sample = string.match(rest, "^([^\t]*)\t(.*)$")
        errors[key] = (errors[key] or 0) + 1
        samples[key] = samples[key] or sample
      elseif all[kind] then
        table.insert(all[kind], tonumber(rest))
      end
    end
    f:close()
  end
  -- Every request, whatever its step; and how much of the run the connections spent waiting
  -- for answers, which cannot exceed 1 when each connection has one request at a time.
  local requests_all, waited = {}, 0
  for _, k in ipairs({ "form", "post", "done" }) do
    for _, v in ipairs(all[k]) do
      requests_all[#requests_all + 1] = v
      waited = waited + v
    end
  end
  all.request = requests_all
  for _, list in pairs(all) do
    table.sort(list)
  end
  local e = summary.errors
  local socket_errors = e.connect + e.read + e.write + e.timeout
  local answer_errors = 0
  local keys = {}
  for k, n in pairs(errors) do
    answer_errors = answer_errors + n
    keys[#keys + 1] = k
  end
  table.sort(keys)
  local clients = threads[1] and threads[1]:get("clients") or #threads

  local ms = function(us)
    return us / 1000
  end
  io.write(string.format("registrations: %d in %.2f s = %.1f/s (confirmation pages: %d)\n", total.registered,
    seconds, total.registered / seconds, total.confirmed))
  io.write(string.format("latency ms          p50      p90      p99      max        n\n"))
  for _, k in ipairs({ "form", "post", "done", "request", "registration" }) do
    local l = all[k]
    io.write(string.format("  %-13s %8.1f %8.1f %8.1f %8.1f %8d\n", k == "done" and "confirmation" or k,
      ms(percentile(l, 50)), ms(percentile(l, 90)), ms(percentile(l, 99)), ms(l[#l] or 0 / 0), #l))
  end
  -- wrk's own histogram, for comparison. On the machine this was written on it disagreed with
  -- the clock above: its mean times its count exceeded the run's time on one connection.
  local connection_seconds = seconds * math.max(clients, 1)
  io.write(string.format("  %-13s %8.1f %8.1f %8.1f %8.1f %8d   (wrk's own histogram)\n", "wrk's request",
    ms(latency:percentile(50)), ms(latency:percentile(90)), ms(latency:percentile(99)), ms(latency.max),
    summary.requests))
  io.write(string.format("time waiting for answers / time connected: %.2f by this script's clock, %.2f by wrk's " ..
    "histogram (at most 1 is possible)\n", waited / 1e6 / connection_seconds,
    latency.mean * summary.requests / 1e6 / connection_seconds))
  if answer_errors + socket_errors + total.lost == 0 then
    io.write("errors: none\n")
  else
    io.write(string.format("ERRORS: %d unexpected answers, socket errors connect %d read %d write %d timeout %d, " ..
      "%d requests lost with their connection\n", answer_errors, e.connect, e.read, e.write, e.timeout, total.lost))
    for _, k in ipairs(keys) do
      io.write(string.format("  %6d x %s: first one: %s\n", errors[k], k, samples[k]))
    end
  end
  local reg = all.registration
  io.write(string.format(
    "RESULT clients=%d seconds=%.3f registrations=%d confirmed=%d rate=%.1f " ..
    "reg_p50=%.2f reg_p99=%.2f post_p50=%.2f post_p99=%.2f req_p50=%.2f req_p99=%.2f " ..
    "wrk_p50=%.2f wrk_p99=%.2f " ..
    "errors=%d answer_errors=%d socket_errors=%d lost=%d status_errors=%d requests=%d\n",
    clients, seconds, total.registered, total.confirmed, total.registered / seconds,
    ms(percentile(reg, 50)), ms(percentile(reg, 99)),
    ms(percentile(all.post, 50)), ms(percentile(all.post, 99)),
    ms(percentile(all.request, 50)), ms(percentile(all.request, 99)),
    ms(latency:percentile(50)), ms(latency:percentile(99)),
    answer_errors + socket_errors + total.lost, answer_errors, socket_errors, total.lost, e.status,
    summary.requests))
end
