# Debian bookworm packages only (scripts/setup installs them). Libraries that the aarch64 binary
# carries inside itself are found as static archives when PIFLEET_STATIC_DEPS is on.

function(pifleet_find_library var)
  cmake_parse_arguments(ARG "" "" "NAMES" ${ARGN})
  set(names ${ARG_NAMES})
  if(PIFLEET_STATIC_DEPS)
    list(TRANSFORM names PREPEND "lib")
    list(TRANSFORM names APPEND ".a")
  endif()
  find_library(${var} NAMES ${names} REQUIRED)
  message(STATUS "pifleet: ${var} = ${${var}}")
endfunction()

pifleet_find_library(PIFLEET_MBEDCRYPTO NAMES mbedcrypto)
pifleet_find_library(PIFLEET_GPIOD NAMES gpiod)

add_library(pifleet_deps INTERFACE)
target_link_libraries(pifleet_deps INTERFACE ${PIFLEET_MBEDCRYPTO} ${PIFLEET_GPIOD})

if(PIFLEET_STATIC)
  add_link_options(-static)
elseif(PIFLEET_STATIC_DEPS)
  add_link_options(-static-libstdc++ -static-libgcc)
endif()

find_path(PIFLEET_MSGPACK_INCLUDE msgpack.hpp REQUIRED)
find_path(PIFLEET_ASIO_INCLUDE asio.hpp REQUIRED)
find_path(PIFLEET_CLI11_INCLUDE CLI/CLI.hpp REQUIRED)
find_path(PIFLEET_TOMLPP_INCLUDE toml++/toml.h REQUIRED)
# libxxhash-dev, used header-only (XXH_INLINE_ALL in agent/base/fast_hash.cc): nothing to link.
find_path(PIFLEET_XXHASH_INCLUDE xxhash.h REQUIRED)

find_package(Threads REQUIRED)  # the WAL's sync thread
# Header-only: every --json output of the CLI (agent/daemon/json_text.h).
find_package(nlohmann_json 3 REQUIRED)
target_link_libraries(pifleet_deps INTERFACE nlohmann_json::nlohmann_json)
if(PIFLEET_TESTS)
  find_package(GTest REQUIRED)
  include(GoogleTest)
endif()
if(PIFLEET_BENCH AND NOT CMAKE_CROSSCOMPILING)
  find_package(benchmark QUIET)
endif()
