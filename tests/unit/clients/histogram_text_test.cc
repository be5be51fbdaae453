#include "clients/histogram_text.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "clients/latency_plot.h"

namespace soket::clients {
namespace {

struct Row {
  double value = 0, percentile = 0;
  std::uint64_t count = 0;
  bool has_inverse = false;
};

// Reads the table as HdrHistogram's own HistogramLogReader-free tools do: whitespace
// separated columns, '#' footer lines.
std::vector<Row> rows_of(const std::string& text, std::vector<std::string>& footer) {
  std::istringstream in(text);
  std::string line;
  std::vector<Row> rows;
  std::getline(in, line);  // Header.
  std::getline(in, line);  // Blank.
  while (std::getline(in, line)) {
    if (line.rfind("#[", 0) == 0) {
      footer.push_back(line);
      continue;
    }
    std::istringstream fields(line);
    Row row;
    double inverse = 0;
    fields >> row.value >> row.percentile >> row.count;
    row.has_inverse = static_cast<bool>(fields >> inverse);
    rows.push_back(row);
  }
  return rows;
}

LatencyHistogram sample() {
  LatencyHistogram histogram;
  for (std::uint64_t i = 1; i <= 5000; ++i) histogram.record(i * 20'000);  // 20 us .. 100 ms.
  histogram.record(2'500'000'000);                                         // One 2.5 s stall.
  return histogram;
}

TEST(HistogramText, HeaderIsHdrHistograms) {
  const auto text = hdr_percentile_text(sample());
  EXPECT_EQ(text.substr(0, text.find('\n')),
            "       Value     Percentile TotalCount 1/(1-Percentile)");
  EXPECT_EQ(text.substr(text.find('\n') + 1, 1), "\n");
}

TEST(HistogramText, RowsAreMonotoneAndEndAtTheTotal) {
  const auto histogram = sample();
  std::vector<std::string> footer;
  const auto rows = rows_of(hdr_percentile_text(histogram), footer);
  ASSERT_GT(rows.size(), 10u);
  for (std::size_t i = 1; i < rows.size(); ++i) {
    EXPECT_GE(rows[i].value, rows[i - 1].value) << i;
    EXPECT_GE(rows[i].percentile, rows[i - 1].percentile) << i;
    EXPECT_GE(rows[i].count, rows[i - 1].count) << i;
    EXPECT_EQ(rows[i].has_inverse, i + 1 < rows.size()) << i;  // Not on the 100 % line.
  }
  EXPECT_NEAR(rows.front().value, 0.020, 0.001);  // Milliseconds.
  EXPECT_EQ(rows.back().percentile, 1.0);
  EXPECT_EQ(rows.back().count, 5001u);
  EXPECT_NEAR(rows.back().value, 2500.0, 0.001);
}

TEST(HistogramText, FooterHasMeanMaxAndCount) {
  const auto histogram = sample();
  std::vector<std::string> footer;
  rows_of(hdr_percentile_text(histogram), footer);
  ASSERT_EQ(footer.size(), 3u);
  EXPECT_EQ(footer[1], "#[Max     =     2500.000, Total count    =         5001]");
  double mean = 0, stddev = 0;
  ASSERT_EQ(
      std::sscanf(footer[0].c_str(), "#[Mean    = %lf, StdDeviation   = %lf]", &mean, &stddev), 2)
      << footer[0];
  EXPECT_NEAR(mean, histogram.mean() / 1e6, 0.001);
  EXPECT_GT(stddev, 0);
  EXPECT_EQ(footer[2].rfind("#[Buckets = ", 0), 0u);
}

TEST(LatencyPlot, IsOneSvgWithAnEscapedTitleAndACurve) {
  const auto svg = latency_plot_svg(sample(), "a <b> & \"c\"");
  EXPECT_EQ(svg.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg ", 0), 0u);
  EXPECT_EQ(svg.substr(svg.size() - 7), "</svg>\n");
  EXPECT_NE(svg.find("a &lt;b&gt; &amp; &quot;c&quot;"), std::string::npos);
  EXPECT_EQ(svg.find("<b>"), std::string::npos);
  EXPECT_NE(svg.find("<polyline class=\"curve\""), std::string::npos);
  EXPECT_NE(svg.find(">99.9%<"), std::string::npos);                       // The log axis's labels.
  EXPECT_EQ(svg.find("http://", svg.find("<style>")), std::string::npos);  // Self-contained.
}

TEST(LatencyPlot, EmptyHistogramSaysSo) {
  const auto svg = latency_plot_svg(LatencyHistogram{}, "nothing");
  EXPECT_NE(svg.find(">no samples<"), std::string::npos);
  EXPECT_EQ(svg.find("<polyline"), std::string::npos);
}

}  // namespace
}  // namespace soket::clients
