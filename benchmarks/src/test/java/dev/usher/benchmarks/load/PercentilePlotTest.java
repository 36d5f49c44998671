package dev.usher.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

final class PercentilePlotTest {

    private static List<Latency.Point> curve(int scale) {
        Histogram histogram = new Histogram(3);
        for (int i = 1; i <= 10_000; i++) {
            histogram.recordValue((long) i * scale);
        }
        return Latency.of(histogram).curve();
    }

    private static Document parse(String svg) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        return factory.newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void svg_twoSeries_isWellFormedWithOneLineAndOneLegendEach() throws Exception {
        String svg = PercentilePlot.svg(
                "usher <vs> nginx & co",
                List.of(
                        new PercentilePlot.Series("usher c=50", curve(1)),
                        new PercentilePlot.Series("nginx c=50", curve(2))));

        Document document = parse(svg);

        assertThat(document.getDocumentElement().getLocalName()).isEqualTo("svg");
        NodeList lines = document.getElementsByTagNameNS("http://www.w3.org/2000/svg", "polyline");
        assertThat(lines.getLength()).isEqualTo(2);
        String texts = document.getDocumentElement().getTextContent();
        assertThat(texts).contains("usher <vs> nginx & co", "usher c=50", "nginx c=50", "90%", "99.9%", "99.99%");
    }

    @Test
    void svg_polylinePoints_stayInsideThePlot() throws Exception {
        Document document = parse(PercentilePlot.svg("t", List.of(new PercentilePlot.Series("a", curve(3)))));

        String points = document.getElementsByTagNameNS("http://www.w3.org/2000/svg", "polyline")
                .item(0)
                .getAttributes()
                .getNamedItem("points")
                .getNodeValue();
        for (String point : points.split(" ")) {
            String[] xy = point.split(",");
            assertThat(Double.parseDouble(xy[0])).isBetween(70.0, 670.0);
            assertThat(Double.parseDouble(xy[1])).isBetween(40.0, 470.0);
        }
    }

    @Test
    void svg_noSeries_isStillADocument() throws Exception {
        assertThat(parse(PercentilePlot.svg("empty", List.of()))
                        .getDocumentElement()
                        .getLocalName())
                .isEqualTo("svg");
    }

    @Test
    void axis_spacesNinesEvenly() {
        assertThat(PercentilePlot.axis(0)).isZero();
        assertThat(PercentilePlot.axis(90)).isCloseTo(1, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(PercentilePlot.axis(99.9)).isCloseTo(3, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void niceStep_roundsUpToOneTwoOrFive() {
        assertThat(PercentilePlot.niceStep(0.3)).isEqualTo(0.5);
        assertThat(PercentilePlot.niceStep(1.2)).isEqualTo(2);
        assertThat(PercentilePlot.niceStep(7)).isEqualTo(10);
    }
}
