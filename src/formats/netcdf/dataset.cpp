#include "formats/netcdf/dataset.hpp"

namespace granary::nc {

std::size_t size_of(Type t) {
  switch (t) {
    case Type::Int8:
      return 1;
    case Type::Int16:
      return 2;
    case Type::Int32:
      return 4;
    case Type::Int64:
      return 8;
    case Type::Float32:
      return 4;
    case Type::Float64:
      return 8;
    case Type::String:
      return 0;
  }
  return 0;
}

const char* type_name(Type t) {
  switch (t) {
    case Type::Int8:
      return "int8";
    case Type::Int16:
      return "int16";
    case Type::Int32:
      return "int32";
    case Type::Int64:
      return "int64";
    case Type::Float32:
      return "float32";
    case Type::Float64:
      return "float64";
    case Type::String:
      return "string";
  }
  return "?";
}

}  // namespace granary::nc
