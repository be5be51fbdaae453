#include "clients/histogram_text.h"

#include <fmt/core.h>

namespace soket::clients {
namespace {
constexpr double kNsPerMs = 1e6;
}  // namespace

// The format strings are HdrHistogram's (AbstractHistogram.outputPercentileDistribution,
// three significant decimals), so tools that read its output read ours.
std::string hdr_percentile_text(const LatencyHistogram& histogram) {
  std::string out = fmt::format("{:>12} {:>14} {:>10} {:>14}\n\n", "Value", "Percentile",
                                "TotalCount", "1/(1-Percentile)");
  for (const auto& point : histogram.percentile_distribution()) {
    const double ms = static_cast<double>(point.value_ns) / kNsPerMs;
    if (point.percentile < 1.0) {
      out += fmt::format("{:12.3f} {:2.12f} {:10d} {:14.2f}\n", ms, point.percentile,
                         point.total_count, 1.0 / (1.0 - point.percentile));
    } else {
      out += fmt::format("{:12.3f} {:2.12f} {:10d}\n", ms, point.percentile, point.total_count);
    }
  }
  out += fmt::format("#[Mean    = {:12.3f}, StdDeviation   = {:12.3f}]\n",
                     histogram.mean() / kNsPerMs, histogram.stddev() / kNsPerMs);
  out += fmt::format("#[Max     = {:12.3f}, Total count    = {:12d}]\n",
                     static_cast<double>(histogram.max()) / kNsPerMs, histogram.count());
  out += fmt::format("#[Buckets = {:12d}, SubBuckets     = {:12d}]\n",
                     LatencyHistogram::kBuckets / LatencyHistogram::kSubBuckets,
                     LatencyHistogram::kSubBuckets);
  return out;
}

}  // namespace soket::clients
