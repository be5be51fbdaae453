#include "clients/latency_plot.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>

namespace soket::clients {
namespace {

constexpr double kWidth = 800, kHeight = 480;
constexpr double kLeft = 80, kRight = 30, kTop = 60, kBottom = 60;
constexpr double kPlotWidth = kWidth - kLeft - kRight, kPlotHeight = kHeight - kTop - kBottom;
constexpr int kMinDecades = 2, kMaxDecades = 7;  // 99 % .. 99.99999 %.

std::string escaped(std::string_view text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        // Control characters are not allowed in XML 1.0 text.
        if (static_cast<unsigned char>(c) >= 0x20 || c == '\t') out += c;
    }
  }
  return out;
}

// 1, 2 or 5 times a power of ten, at least `raw`.
double nice_step(double raw) {
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  for (const double m : {1.0, 2.0, 5.0, 10.0}) {
    if (m * power >= raw) return m * power;
  }
  return 10 * power;
}

// Decade d of the axis is the percentile 1 - 10^-d: 0 %, 90 %, 99 %, 99.9 % ...
std::string percent_label(int decade) {
  if (decade == 0) return "0%";
  if (decade == 1) return "90%";
  return "99" + (decade > 2 ? "." + std::string(static_cast<std::size_t>(decade - 2), '9') : "") +
         "%";
}

std::string axes(int decades, double y_max, double y_step) {
  std::string out;
  for (int d = 0; d <= decades; ++d) {
    const double x = kLeft + kPlotWidth * d / decades;
    out += fmt::format(
        "<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{0:.1f}\" y2=\"{2:.1f}\" class=\"grid\"/>\n"
        "<text x=\"{0:.1f}\" y=\"{3:.1f}\" text-anchor=\"middle\">{4}</text>\n",
        x, kTop, kTop + kPlotHeight, kTop + kPlotHeight + 18, percent_label(d));
  }
  for (int i = 0; i * y_step <= y_max * 1.0000001; ++i) {
    const double y = kTop + kPlotHeight - kPlotHeight * (i * y_step) / y_max;
    out += fmt::format(
        "<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{2:.1f}\" y2=\"{1:.1f}\" class=\"grid\"/>\n"
        "<text x=\"{3:.1f}\" y=\"{4:.1f}\" text-anchor=\"end\">{5:g}</text>\n",
        kLeft, y, kLeft + kPlotWidth, kLeft - 6, y + 4, i * y_step);
  }
  out += fmt::format(
      "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" class=\"frame\"/>\n",
      kLeft, kTop, kPlotWidth, kPlotHeight);
  out += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">Percentile</text>\n",
                     kLeft + kPlotWidth / 2, kHeight - 14);
  out += fmt::format(
      "<text transform=\"translate(18 {:.1f}) rotate(-90)\" text-anchor=\"middle\">"
      "Latency (milliseconds)</text>\n",
      kTop + kPlotHeight / 2);
  return out;
}

}  // namespace

std::string latency_plot_svg(const LatencyHistogram& histogram, std::string_view title) {
  const auto points = histogram.percentile_distribution();
  // The axis reaches the first decade past the last finite percentile, within bounds.
  double last_finite = 0;
  for (const auto& p : points) {
    if (p.percentile < 1.0) last_finite = std::max(last_finite, p.percentile);
  }
  const int decades =
      std::clamp(static_cast<int>(std::ceil(std::log10(1.0 / (1.0 - last_finite)) + 1e-9)),
                 kMinDecades, kMaxDecades);
  const double max_ms = static_cast<double>(histogram.max()) / 1e6;
  const double y_step = nice_step(std::max(max_ms, 1e-3) / 5);
  const double y_max = y_step * std::max(1.0, std::ceil(max_ms / y_step));

  std::string svg = fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" "
      "viewBox=\"0 0 {0} {1}\" font-family=\"sans-serif\" font-size=\"12\">\n"
      "<style>.grid{{stroke:#ddd;stroke-width:1}} .frame{{fill:none;stroke:#444}} "
      ".curve{{fill:none;stroke:#1f5fbf;stroke-width:2}}</style>\n"
      "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      "<text x=\"{2:.1f}\" y=\"24\" text-anchor=\"middle\" font-size=\"15\">{3}</text>\n",
      kWidth, kHeight, kWidth / 2, escaped(title));
  svg += fmt::format(
      "<text x=\"{:.1f}\" y=\"44\" text-anchor=\"middle\">{} samples, max {:.3f} ms, mean {:.3f} "
      "ms</text>\n",
      kWidth / 2, histogram.count(), max_ms, histogram.mean() / 1e6);
  svg += axes(decades, y_max, y_step);
  if (points.empty()) {
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">no samples</text>\n",
                       kLeft + kPlotWidth / 2, kTop + kPlotHeight / 2);
  } else {
    svg += "<polyline class=\"curve\" points=\"";
    for (const auto& p : points) {
      // 100 % is infinitely far on this axis: it is drawn at the right edge.
      const double decade = p.percentile < 1.0
                                ? std::min<double>(decades, std::log10(1.0 / (1.0 - p.percentile)))
                                : decades;
      const double x = kLeft + kPlotWidth * decade / decades;
      const double y =
          kTop + kPlotHeight - kPlotHeight * (static_cast<double>(p.value_ns) / 1e6) / y_max;
      svg += fmt::format("{:.1f},{:.1f} ", x, y);
    }
    svg += "\"/>\n";
  }
  svg += "</svg>\n";
  return svg;
}

}  // namespace soket::clients
