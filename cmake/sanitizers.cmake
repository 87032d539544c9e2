# ASan + UBSan and libFuzzer instrumentation, per target (granary_sanitize(target)), so the
# static Lambda bootstrap stays a plain static binary (ASan cannot link -static).
#
#   GRANARY_SANITIZE=ON  address + undefined; the first finding ends the process
#   GRANARY_FUZZ=ON      also -fsanitize=fuzzer-no-link, and the harnesses in fuzz/ (clang only)
#
# The CMakePresets.json preset "sanitize" (clang, -O1, line tables) is what .ci/run builds:
# -O1 with line tables compiles several times faster than Debug and still gives exact stacks.
option(GRANARY_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
option(GRANARY_FUZZ "Build the libFuzzer harnesses in fuzz/ (clang; implies GRANARY_SANITIZE)" OFF)

set(GRANARY_SANITIZER_FLAGS "")
if(GRANARY_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "GRANARY_FUZZ needs clang (libFuzzer): configure with --preset sanitize "
                        "or -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang")
  endif()
  set(GRANARY_SANITIZE ON CACHE BOOL "" FORCE)
endif()
if(GRANARY_SANITIZE)
  list(APPEND GRANARY_SANITIZER_FLAGS
    -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
endif()
if(GRANARY_FUZZ)
  # Coverage for libFuzzer in everything the harnesses call; the runtime's weak hooks keep the
  # same objects linkable into the tests and the granary binary without libFuzzer's main.
  list(APPEND GRANARY_SANITIZER_FLAGS -fsanitize=fuzzer-no-link)
endif()

function(granary_sanitize target)
  if(GRANARY_SANITIZER_FLAGS)
    target_compile_options(${target} PRIVATE ${GRANARY_SANITIZER_FLAGS})
    target_link_options(${target} PRIVATE ${GRANARY_SANITIZER_FLAGS})
  endif()
endfunction()
