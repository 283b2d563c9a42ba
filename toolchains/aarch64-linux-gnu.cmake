# Cross build for 64-bit Raspberry Pi OS / Debian arm64 with Debian's cross toolchain
# (g++-aarch64-linux-gnu) and multiarch :arm64 -dev packages (scripts/setup installs both).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)

# Libraries only from the aarch64 multiarch and cross directories, never the host's.
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)
set(CMAKE_LIBRARY_PATH /usr/lib/aarch64-linux-gnu)
set(CMAKE_IGNORE_PATH /usr/lib/x86_64-linux-gnu /lib/x86_64-linux-gnu)

# Tests and the build-time checks run the aarch64 binaries under qemu-user.
find_program(PIFLEET_QEMU_AARCH64 qemu-aarch64-static qemu-aarch64)
if(PIFLEET_QEMU_AARCH64)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${PIFLEET_QEMU_AARCH64})
endif()
