#include "run/lambda_event.hpp"

#include "util/error.hpp"
#include "util/json_input.hpp"

namespace granary::run::lambda {

using nlohmann::json;

json unit_event(const std::string& plan_uri, std::size_t index, const json& handout) {
  json event = handout.is_object() ? handout : json::object();
  event["plan"] = plan_uri;
  event["index"] = index;
  return event;
}

std::optional<UnitEvent> parse_unit_event(const json& event) {
  if (!event.is_object() || !event.contains("plan")) return std::nullopt;
  const auto& plan = event["plan"];
  if (!plan.is_string() || plan.get<std::string>().empty()) fail("event: \"plan\" must be the plan's URI (a string)");
  if (!event.contains("index") || !event["index"].is_number_integer() || event["index"].get<long long>() < 0)
    fail("event: a plan event needs \"index\", the unit's number (an integer >= 0)");
  UnitEvent out;
  out.plan = plan.get<std::string>();
  out.index = event["index"].get<std::size_t>();
  for (const auto& [key, value] : event.items())
    if (key != "plan" && key != "index") out.handout[key] = value;
  return out;
}

json UnitResponse::to_json() const {
  return {{"plan", plan}, {"index", index}, {"status", status}, {"duration_s", duration_s}, {"results", results}};
}

UnitResponse UnitResponse::from_json(const json& j) {
  if (!j.is_object()) fail("plan unit response: not a JSON object");
  for (const char* key : {"plan", "index", "status", "results"})
    if (!j.contains(key)) fail("plan unit response: no \"{}\"", key);
  if (!j["results"].is_array()) fail("plan unit response: \"results\" is not an array");
  UnitResponse out;
  out.plan = j["plan"].get<std::string>();
  out.index = require_json_integer<std::size_t>(j["index"], "plan unit response: \"index\"");
  out.status = j["status"].get<std::string>();
  out.duration_s = j.value("duration_s", 0.0);
  for (const auto& r : j["results"]) {
    if (!r.is_object() || !r.contains("id") || !r["id"].is_string())
      fail("plan unit response: a result without the job's \"id\"");
    out.results.push_back(r);
  }
  return out;
}

}  // namespace granary::run::lambda
