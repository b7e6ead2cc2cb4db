#include "fcgi/controllers.h"

namespace fcgi {

// NOTE: no routes yet; every path of this resource answers 404.
void registerTransportKeyRoutes(Router&) {}

}  // namespace fcgi
