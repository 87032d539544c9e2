#include "util/log.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>

#include <fmt/chrono.h>
#include <nlohmann/json.hpp>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>

namespace granary::log {
namespace {

Format g_format = Format::Text;

// One JSON object per line on stderr; nlohmann does the escaping so any message is safe.
class JsonLineSink final : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    auto secs = std::chrono::time_point_cast<std::chrono::milliseconds>(msg.time);
    nlohmann::json line = {
        {"time", fmt::format("{:%Y-%m-%dT%H:%M:%S}Z", secs)},
        {"level", std::string(spdlog::level::to_string_view(msg.level).data(),
                              spdlog::level::to_string_view(msg.level).size())},
        {"pid", static_cast<long>(getpid())},
        {"msg", std::string(msg.payload.data(), msg.payload.size())}};
    std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    text.push_back('\n');
    std::fwrite(text.data(), 1, text.size(), stderr);
  }
  void flush_() override { std::fflush(stderr); }
};

}  // namespace

void setup(Format format, const std::string& level) {
  g_format = format;
  std::shared_ptr<spdlog::logger> logger;
  if (format == Format::Json) {
    logger = std::make_shared<spdlog::logger>("granary", std::make_shared<JsonLineSink>());
  } else {
    // spdlog colours the level letter only on a terminal that supports it.
    auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>(colour() ? spdlog::color_mode::automatic
                                                                                : spdlog::color_mode::never);
    logger = std::make_shared<spdlog::logger>("granary", std::move(sink));
    logger->set_pattern("%^%L%$ %H:%M:%S %v");
  }
  logger->set_level(spdlog::level::from_str(level));
  spdlog::set_default_logger(logger);
}

Format format() { return g_format; }

bool colour() {
  const char* no_color = std::getenv("NO_COLOR");
  return no_color == nullptr || *no_color == '\0';
}

bool interactive() { return g_format == Format::Text && isatty(STDERR_FILENO); }

}  // namespace granary::log
