// The printers of rdata.cc's dispatch, by family. Each returns nullopt for a type it does not
// print, else the text or errc::bad_rdata. The cursor stands at the rdata's first byte.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/result.h"
#include "proto/dns/detail/rdata_cursor.h"

namespace soket::proto::dns::detail {

using Printed = std::optional<Result<std::string>>;

Printed basic_rdata(std::uint16_t rtype, RdataCursor& c);    // RFC 1035 and its near kin.
Printed dnssec_rdata(std::uint16_t rtype, RdataCursor& c);   // Keys, digests, signatures.
Printed service_rdata(std::uint16_t rtype, RdataCursor& c);  // SVCB/HTTPS, LOC, APL.

}  // namespace soket::proto::dns::detail
