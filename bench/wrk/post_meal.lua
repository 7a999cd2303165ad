-- POST /api/v1/meals with a new Idempotency-Key every request; cards of the demo seniors aged 65+.
-- wrk ... -s post_meal.lua URL -- <run-id> <terminal-token>
local counter = 0
local run_id = "run"
local token = "demo-terminal-1"
local kinds = {"breakfast", "lunch", "dinner"}
local prices = {500, 1500, 1200}

function init(args)
  if args[1] then run_id = args[1] end
  if args[2] then token = args[2] end
  math.randomseed(os.time())
  run_id = run_id .. "-" .. tostring(math.random(1, 1000000000))
end

function request()
  counter = counter + 1
  local card = string.format("D%04d", (counter % 490) + 1)
  local k = (counter % 3) + 1
  local body = string.format('{"card_no":"%s","kind":"%s","price_fen":%d}', card, kinds[k], prices[k])
  local headers = {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token,
    ["Idempotency-Key"] = run_id .. "-" .. counter,
  }
  return wrk.format("POST", "/api/v1/meals", headers, body)
end
