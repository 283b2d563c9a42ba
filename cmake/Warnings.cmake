# Every pifleet target links pifleet_warnings: warnings are errors from day one.
add_library(pifleet_warnings INTERFACE)
target_compile_options(pifleet_warnings INTERFACE -Wall -Wextra -Werror -Wshadow
  -Wnon-virtual-dtor -Wimplicit-fallthrough)
# asio and msgpack are header-only; msgpack must not pull in Boost.
target_compile_definitions(pifleet_warnings INTERFACE MSGPACK_NO_BOOST ASIO_STANDALONE)
