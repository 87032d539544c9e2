#pragma once
// Reading untrusted JSON (files, events, service answers).
//  * A bound on nesting, checked before parsing: nlohmann's parser is iterative, but dump(),
//    comparison and granary's own readers recurse once per level, so 100,000 '[' parse fine
//    and then overflow the stack.
//  * The text of any parse failure: nlohmann throws parse_error for bad syntax but
//    out_of_range for a number beyond a double (1e309), so catch json::exception, never
//    only parse_error, and describe it with json_error_detail.
#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace granary {

// Far deeper than any document granary reads (umm_json pages nest about 10 levels).
inline constexpr std::size_t kMaxJsonDepth = 128;

// The byte offset at which nesting first exceeds max_depth, or npos. One linear pass that
// skips strings (and their escapes), so brackets inside strings do not count.
std::size_t json_too_deep_at(std::string_view text, std::size_t max_depth = kMaxJsonDepth);

// Throws granary::Error "<source>: JSON nested deeper than N levels (at byte B)". Never quotes
// the text: events and credential answers carry secrets.
void require_json_depth(std::string_view text, const std::string& source, std::size_t max_depth = kMaxJsonDepth);

// "syntax error at byte 12" | "a number beyond the range of a double" | nlohmann's text. Never
// quotes the document (events and credential answers carry secrets).
std::string json_error_detail(const nlohmann::json::exception& e);

}  // namespace granary
