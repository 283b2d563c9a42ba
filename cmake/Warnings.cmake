# Every pifleet target links pifleet_warnings: warnings are errors from day one.
add_library(pifleet_warnings INTERFACE)
target_compile_options(pifleet_warnings INTERFACE -Wall -Wextra -Werror -Wshadow
  -Wnon-virtual-dtor -Wimplicit-fallthrough)
# gcc 12 at -O2/-O3 reports false -Wrestrict errors on std::string concatenation (gcc bug
# 105651); with -Werror they would break every release build.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  target_compile_options(pifleet_warnings INTERFACE -Wno-restrict)
endif()
# asio and msgpack are header-only; msgpack must not pull in Boost. asio decides between
# aligned_alloc and operator new from whether a libstdc++ header came first, so two files with
# different include orders would pair one's allocation with the other's free: pin it.
target_compile_definitions(pifleet_warnings INTERFACE MSGPACK_NO_BOOST ASIO_STANDALONE
  ASIO_DISABLE_STD_ALIGNED_ALLOC)
