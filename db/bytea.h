#pragma once

#include <string>
#include <string_view>

namespace db {

// soci 4.0.3 maps its blob type to PostgreSQL large objects, so bytea values
// travel as hex text: bind hexEncode(bytes) to "decode(:x, 'hex')" and read
// "encode(column, 'hex')" back through hexDecode.
std::string hexEncode(std::string_view bytes);

// Decodes lower- or upper-case hex; throws core::Error(Internal) on odd
// length or a non-hex character.
std::string hexDecode(std::string_view hex);

}  // namespace db
