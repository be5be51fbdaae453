// A self-contained SVG of a latency distribution, drawn as HdrHistogram's plotter draws it:
// latency (milliseconds, linear) against the percentile on a log axis of 1/(1-p), so 90 %,
// 99 %, 99.9 % ... are evenly spaced and the tail gets the room it deserves. The SVG has no
// scripts, fonts or links to anything outside it.
#pragma once

#include <string>
#include <string_view>

#include "clients/latency_histogram.h"

namespace soket::clients {

// `title` is any text (it is escaped). An empty histogram gives a plot that says so.
std::string latency_plot_svg(const LatencyHistogram& histogram, std::string_view title);

}  // namespace soket::clients
