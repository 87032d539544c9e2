#pragma once
// Calls f(T{}) with the C++ type of a Zarr data type, so code over array values is written
// once as a template.
#include <cstdint>

#include "formats/zarr/zarr.hpp"
#include "util/error.hpp"

namespace granary::zarr {

template <typename F>
decltype(auto) visit_dtype(DType dtype, F&& f) {
  switch (dtype) {
    case DType::Int8: return f(std::int8_t{});
    case DType::UInt8: return f(std::uint8_t{});
    case DType::Int16: return f(std::int16_t{});
    case DType::UInt16: return f(std::uint16_t{});
    case DType::Int32: return f(std::int32_t{});
    case DType::UInt32: return f(std::uint32_t{});
    case DType::Int64: return f(std::int64_t{});
    case DType::UInt64: return f(std::uint64_t{});
    case DType::Float32: return f(float{});
    case DType::Float64: return f(double{});
  }
  fail("zarr: invalid data type {}", static_cast<int>(dtype));
}

}  // namespace granary::zarr
