package dev.mdm.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.mdm.InvalidInputException;
import dev.mdm.MDM;
import dev.mdm.MdmConfig;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("DiscreteVpSchedule")
class DiscreteVpScheduleTest {
    private final double[] betas = MDM.betas(MdmConfig.tiny());
    private final DiscreteVpSchedule schedule = new DiscreteVpSchedule(betas);

    @Test
    @DisplayName("ᾱ_t of the losses is 1 at t = 0 and the product of (1 − β_k) up to t, the square of α at the knot t/T")
    void alphaBarsAreTheCumulativeProduct() {
        MdmConfig c = MdmConfig.tiny();
        double[] betas = MDM.betas(c);
        double[] ab = MDM.alphaBars(c);
        assertThat(ab).hasSize(c.timesteps() + 1);
        assertThat(ab[0]).isEqualTo(1.0);
        double product = 1;
        for (int t = 1; t <= c.timesteps(); t++) {
            product *= 1 - betas[t - 1];
            assertThat(ab[t]).as("t = %d", t).isEqualTo(product);
        }
        DiscreteVpSchedule schedule = new DiscreteVpSchedule(betas);
        int half = c.timesteps() / 2;
        assertThat(2 * schedule.logAlpha((double) half / c.timesteps())).isCloseTo(Math.log(ab[half]), within(1e-9));
    }

    @Test
    @DisplayName("log α at the knot n/T is half the cumulative sum of log(1 − β)")
    void knotsCarryHalfTheCumulativeLogOfOneMinusBeta() {
        double sum = 0;
        for (int n = 1; n <= betas.length; n++) {
            sum += Math.log(1 - betas[n - 1]);
            assertThat(schedule.logAlpha(n / 1000.0)).isCloseTo(0.5 * sum, within(1e-13));
        }
        assertThat(schedule.knots()).isEqualTo(1000);
        assertThat(schedule.endTime()).isEqualTo(1e-3);
    }

    @Test
    @DisplayName("log α is linear between knots and extends the end segments linearly")
    void logAlphaIsPiecewiseLinear() {
        double a = schedule.logAlpha(0.500);
        double b = schedule.logAlpha(0.501);
        assertThat(schedule.logAlpha(0.50025)).isCloseTo(a + 0.25 * (b - a), within(1e-15));
        double last = schedule.logAlpha(1.0);
        double beforeLast = schedule.logAlpha(0.999);
        assertThat(schedule.logAlpha(1.002)).isCloseTo(last + 2 * (last - beforeLast), within(1e-13));
    }

    @Test
    @DisplayName("α² + σ² = 1 and λ = log α − log σ decreases in t")
    void sigmaAndLambdaFollowAlpha() {
        double previous = Double.POSITIVE_INFINITY;
        for (int i = 1; i <= 997; i++) {
            double t = i * 1.0003e-3;
            double alpha = schedule.alpha(t);
            double sigma = schedule.sigma(t);
            assertThat(alpha * alpha + sigma * sigma).isCloseTo(1.0, within(1e-14));
            double lambda = schedule.lambda(t);
            assertThat(lambda).isCloseTo(Math.log(alpha) - Math.log(sigma), within(1e-12)).isLessThan(previous);
            previous = lambda;
        }
    }

    @Test
    @DisplayName("λ⁻¹(λ(t)) = t across [1/T, 1], knots and in-between points alike")
    void inverseLambdaInvertsLambda() {
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < 2000; i++) {
            double t = 1e-3 + (1 - 1e-3) * random.nextDouble();
            assertThat(schedule.inverseLambda(schedule.lambda(t))).isCloseTo(t, within(1e-11));
        }
        for (int n = 1; n <= 1000; n += 37) {
            assertThat(schedule.inverseLambda(schedule.lambda(n / 1000.0))).isCloseTo(n / 1000.0, within(1e-11));
        }
    }

    @Test
    @DisplayName("the LOG_SNR grid is uniform in λ and the TIME_UNIFORM grid uniform in t, both from 1 to 1/T")
    void gridsAreUniformInTheirVariable() {
        double[] logSnr = schedule.timeGrid(StepGrid.LOG_SNR, 1.0, 1e-3, 7);
        double[] uniform = schedule.timeGrid(StepGrid.TIME_UNIFORM, 1.0, 1e-3, 7);
        assertThat(logSnr).hasSize(8);
        assertThat(uniform).hasSize(8);
        assertThat(uniform[0]).isEqualTo(1.0);
        assertThat(uniform[7]).isEqualTo(1e-3);
        assertThat(logSnr[0]).isCloseTo(1.0, within(1e-11));
        assertThat(logSnr[7]).isCloseTo(1e-3, within(1e-11));
        double step = (schedule.lambda(1e-3) - schedule.lambda(1.0)) / 7;
        for (int i = 1; i <= 7; i++) {
            assertThat(schedule.lambda(logSnr[i]) - schedule.lambda(logSnr[i - 1])).isCloseTo(step, within(1e-9));
            assertThat(uniform[i - 1] - uniform[i]).isCloseTo((1 - 1e-3) / 7, within(1e-15));
        }
    }

    @Test
    @DisplayName("the network time input is (t − 1/T)·T, training's t − 1 on the knots")
    void networkTimeMatchesTrainingOnKnots() {
        assertThat(schedule.networkTime(1.0)).isCloseTo(999, within(1e-9));
        assertThat(schedule.networkTime(1e-3)).isCloseTo(0, within(1e-12));
        assertThat(schedule.networkTime(0.5)).isCloseTo(499, within(1e-9));
    }

    @Test
    @DisplayName("a tail whose λ falls below −5.1 is dropped and the kept knots are spread over (0, 1]")
    void numericalClipDropsTheLowSnrTail() {
        double[] steep = new double[100];
        for (int i = 0; i < steep.length; i++) {
            steep[i] = 1e-3 + (0.2 - 1e-3) * i / 99.0;
        }
        DiscreteVpSchedule clipped = new DiscreteVpSchedule(steep);
        double logAlpha = 0;
        int kept = 0;
        for (double b : steep) {
            logAlpha += 0.5 * Math.log1p(-b);
            double lambda = logAlpha - 0.5 * Math.log(-Math.expm1(2 * logAlpha));
            if (lambda >= -5.1) {
                kept++;
            }
        }
        assertThat(kept).isLessThan(100).isGreaterThan(2);
        assertThat(clipped.knots()).isEqualTo(kept);
        assertThat(clipped.trainingSteps()).isEqualTo(100);
        assertThat(clipped.lambda(1.0)).isGreaterThanOrEqualTo(-5.1);
        assertThat(clipped.endTime()).isEqualTo(1.0 / kept);
    }

    @Test
    @DisplayName("bad β arrays are rejected naming betas")
    void rejectsBadBetas() {
        assertThatThrownBy(() -> new DiscreteVpSchedule(null)).isInstanceOf(InvalidInputException.class).hasMessageContaining("betas");
        assertThatThrownBy(() -> new DiscreteVpSchedule(new double[] {0.1})).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("at least 2");
        assertThatThrownBy(() -> new DiscreteVpSchedule(new double[] {0.1, Double.NaN})).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("NaN at index 1");
        assertThatThrownBy(() -> new DiscreteVpSchedule(new double[] {0.1, 1.0})).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("(0, 1)");
        assertThatThrownBy(() -> new DiscreteVpSchedule(new double[] {0, 0.1})).isInstanceOf(InvalidInputException.class);
    }
}
