// The module's identity for the server's loader.
#include "postgres.hpp"

extern "C" {
PG_MODULE_MAGIC;
}
