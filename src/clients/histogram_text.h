// The latency distribution in HdrHistogram's text format, as wrk2 --latency and
// HdrHistogram's outputPercentileDistribution print it (values in milliseconds):
//
//          Value     Percentile TotalCount 1/(1-Percentile)
//
//          0.051 0.000000000000          1           1.00
//          ...
//          9.215 1.000000000000      10000
//   #[Mean    =        0.123, StdDeviation   =        0.045]
//   #[Max     =        9.215, Total count    =        10000]
//   #[Buckets =           60, SubBuckets     =           32]
//
// HdrHistogram's plotter and its readers take this file as it is.
#pragma once

#include <string>

#include "clients/latency_histogram.h"

namespace soket::clients {

std::string hdr_percentile_text(const LatencyHistogram& histogram);

}  // namespace soket::clients
