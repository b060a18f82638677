#!/usr/bin/env bash
# One order's whole life over the public API with curl, as a client app would make it:
# a restaurant owner onboards and writes a menu, a customer finds it, fills a cart,
# checks out, pays by card; the restaurant accepts and cooks; an admin drives the
# delivery states (couriers arrive with the delivery issue); the customer rates it.
#
#   ./tiffin stack up && ./tiffin serve &          # the API on :58080
#   echo 'a long admin password' | .venv/bin/python -m serving.identity create-admin \
#       --email ops@example.com --password-stdin
#   ADMIN_EMAIL=ops@example.com ADMIN_PASSWORD='a long admin password' ops/walkthrough.sh
#
# Settings: API (default http://127.0.0.1:58080), ADMIN_EMAIL, ADMIN_PASSWORD.
# Every step prints what it sent and the answer's key fields; any unexpected HTTP
# status stops the walk with the problem body. Needs curl and python3 (JSON parsing).
set -euo pipefail

API="${API:-http://127.0.0.1:58080}/api/v1"
: "${ADMIN_EMAIL:?set ADMIN_EMAIL (create one with python -m serving.identity create-admin)}"
: "${ADMIN_PASSWORD:?set ADMIN_PASSWORD}"
RUN="$(date +%s)-$$"  # fresh emails and phones on every run

BODY="$(mktemp)"
trap 'rm -f "$BODY"' EXIT

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

# call EXPECTED_STATUS METHOD PATH [JSON] [extra curl args...]: the body goes to $BODY.
call() {
  local expected="$1" method="$2" path="$3" data="${4:-}"
  shift 4 || shift $#
  local args=(-sS -o "$BODY" -w '%{http_code}' -X "$method" "$API$path" -H 'Content-Type: application/json')
  [[ -n "${TOKEN:-}" ]] && args+=(-H "Authorization: Bearer $TOKEN")
  [[ -n "$data" ]] && args+=(-d "$data")
  printf '  %s %s\n' "$method" "$path"
  local status
  status="$(curl "${args[@]}" "$@")"
  if [[ "$status" != "$expected" ]]; then
    printf '  expected %s, got %s:\n%s\n' "$expected" "$status" "$(cat "$BODY")" >&2
    exit 1
  fi
}

# field EXPR: a value from the last answer, e.g. field '["order_id"]'.
field() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))$1)" "$BODY"; }
show() { printf '  -> %s\n' "$(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(', '.join(f'{k}={d[k]}' for k in sys.argv[2:]))" "$BODY" "$@")"; }

login() {  # login EMAIL PASSWORD: sets TOKEN
  TOKEN=""
  call 200 POST /auth/login "{\"email\":\"$1\",\"password\":\"$2\"}"
  TOKEN="$(field '["access_token"]')"
}

step "1. A restaurant owner registers and logs in"
OWNER_EMAIL="owner-$RUN@example.com"
TOKEN=""
call 201 POST /auth/register "{\"email\":\"$OWNER_EMAIL\",\"password\":\"owner pass phrase\",\"name\":\"Meera Iyer\",\"role\":\"RESTAURANT\"}"
show user_id role
login "$OWNER_EMAIL" "owner pass phrase"

step "2. The owner onboards a restaurant (open every day, all day), writes its menu and a welcome offer"
call 201 POST /restaurants '{"name":"Meghana Foods","address":"124 Residency Road, Bengaluru","city":"Bengaluru","lat":12.9719,"lon":77.6082,"cuisines":["Biryani","Andhra"],"opening_hours":{"mon":[{"open":"00:00","close":"00:00"}],"tue":[{"open":"00:00","close":"00:00"}],"wed":[{"open":"00:00","close":"00:00"}],"thu":[{"open":"00:00","close":"00:00"}],"fri":[{"open":"00:00","close":"00:00"}],"sat":[{"open":"00:00","close":"00:00"}],"sun":[{"open":"00:00","close":"00:00"}]}}'
RESTAURANT_ID="$(field '["restaurant_id"]')"
show restaurant_id name rating_avg rating_count
call 201 POST "/restaurants/$RESTAURANT_ID/menu/categories" '{"name":"Biryani"}'
CATEGORY_ID="$(field '["category_id"]')"
call 201 POST "/restaurants/$RESTAURANT_ID/menu/items" "{\"name\":\"Chicken Boneless Biryani\",\"price_minor\":34000,\"is_veg\":false,\"stock\":20,\"category_id\":\"$CATEGORY_ID\"}"
BIRYANI_ID="$(field '["item_id"]')"
show item_id name price_minor stock
call 201 POST "/restaurants/$RESTAURANT_ID/menu/items" "{\"name\":\"Paneer 65\",\"price_minor\":22000,\"is_veg\":true,\"category_id\":\"$CATEGORY_ID\"}"
PANEER_ID="$(field '["item_id"]')"
show item_id name price_minor
VALID_UNTIL="$(python3 -c "from datetime import UTC, datetime, timedelta; print((datetime.now(UTC) + timedelta(days=30)).strftime('%Y-%m-%dT%H:%M:%SZ'))")"
call 201 POST "/restaurants/$RESTAURANT_ID/offers" "{\"code\":\"WELCOME10\",\"kind\":\"PERCENTAGE\",\"value\":1000,\"min_order_minor\":50000,\"max_discount_minor\":15000,\"per_user_limit\":1,\"valid_until\":\"$VALID_UNTIL\"}"
show code kind value min_order_minor per_user_limit

step "3. A customer registers, logs in and saves a delivery address"
CUSTOMER_EMAIL="asha-$RUN@example.com"
TOKEN=""
call 201 POST /auth/register "{\"email\":\"$CUSTOMER_EMAIL\",\"password\":\"customer pass phrase\",\"name\":\"Asha Rao\"}"
login "$CUSTOMER_EMAIL" "customer pass phrase"
call 201 POST /users/me/addresses '{"label":"Home","line":"12 MG Road","city":"Bengaluru","lat":12.9756,"lon":77.6050,"is_default":true}'
show address_id label

step "4. She searches (with a typo) near home, and reads the menu"
call 200 GET "/search/restaurants?q=biriyani&lat=12.9756&lon=77.6050&radius_km=5&open_now=true"
python3 -c "import json,sys; hits=json.load(open(sys.argv[1])); [print(f\"  -> {h['name']} {h['distance_km']:.2f} km score {h['score']:.3f}\") for h in hits[:3]]" "$BODY"
call 200 GET "/restaurants/$RESTAURANT_ID/menu"
show is_open_now

step "5. She fills the cart and checks out with the offer (the server prices the order)"
call 200 POST /cart/items "{\"restaurant_id\":\"$RESTAURANT_ID\",\"item_id\":\"$BIRYANI_ID\",\"quantity\":2}"
call 200 POST /cart/items "{\"restaurant_id\":\"$RESTAURANT_ID\",\"item_id\":\"$PANEER_ID\"}"
call 201 POST /cart/checkout '{"delivery_location":{"lat":12.9756,"lon":77.6050},"offer_code":"WELCOME10"}' -H "Idempotency-Key: checkout-$RUN"
ORDER_ID="$(field '["order_id"]')"
TOTAL="$(field '["total_minor"]')"
show order_id status items_subtotal_minor discount_minor tax_minor packaging_minor delivery_fee_minor total_minor

step "6. She pays the total by card (sandbox card 4242 4242 4242 4242)"
call 201 POST /payments "{\"order_id\":\"$ORDER_ID\",\"method\":\"card\",\"amount_minor\":$TOTAL,\"currency\":\"INR\",\"card\":{\"number\":\"4242424242424242\",\"expiry_month\":12,\"expiry_year\":2030,\"cvc\":\"123\"}}" -H "Idempotency-Key: pay-$RUN"
PAYMENT_ID="$(field '["payment_id"]')"
show payment_id status amount_minor card_last4

step "7. The restaurant accepts (20 minutes), prepares, and marks it ready"
login "$OWNER_EMAIL" "owner pass phrase"
call 200 POST "/orders/$ORDER_ID/accept" '{"prep_time_minutes":20}'
show status estimated_ready_at
call 200 POST "/orders/$ORDER_ID/preparing"
call 200 POST "/orders/$ORDER_ID/ready"
show status

step "8. An admin drives the delivery (couriers take this over in the delivery issue)"
login "$ADMIN_EMAIL" "$ADMIN_PASSWORD"
for status in ASSIGNED PICKED OUT_FOR_DELIVERY DELIVERED; do
  call 200 POST "/orders/$ORDER_ID/status" "{\"status\":\"$status\"}"
  show status
done

step "9. The customer sees the order and payment, and rates the restaurant"
login "$CUSTOMER_EMAIL" "customer pass phrase"
call 200 GET "/orders/$ORDER_ID"
show status total_minor
call 200 GET "/payments/$PAYMENT_ID"
show status amount_minor
call 201 POST "/restaurants/$RESTAURANT_ID/reviews" "{\"order_id\":\"$ORDER_ID\",\"rating\":5,\"comment\":\"Hot, on time, and the biryani was perfect.\"}"
show rating
call 200 GET "/restaurants/$RESTAURANT_ID"
show name rating_avg rating_count
call 200 GET "/orders?limit=5"
python3 -c "import json,sys; print('  -> history:', [(o['order_id'][:8], o['status']) for o in json.load(open(sys.argv[1]))['items']])" "$BODY"

printf '\n\033[1mDone:\033[0m order %s DELIVERED, paid %s paise by card, restaurant rated.\n' "$ORDER_ID" "$TOTAL"
