"""Published data sets used by the statistics tests, each with its source.

Only data are kept here; the expected figures sit in the tests that check them, next to
the citation of where they were printed.
"""

# Hollander & Wolfe (1973), Nonparametric Statistical Methods, p. 29f (Example 3.1 in
# Hollander, Wolfe & Chicken 2014): Hamilton depression scale factor IV of nine patients at
# the first (x) and second (y) visit after starting a tranquilizer. Also the paired example
# on R's ?wilcox.test page.
DEPRESSION_FIRST_VISIT = [1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30]
DEPRESSION_SECOND_VISIT = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29]

# Student (1908) / Cushny & Peebles (1905), R's built-in `sleep` data: extra hours of sleep
# of ten patients on drug 1 and on drug 2 (same patients, same order).
SLEEP_DRUG1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
SLEEP_DRUG2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]

# Darwin's cross- vs self-fertilised Zea mays, height differences in eighths of an inch, as
# analysed by Fisher (1935, The Design of Experiments) and in the scipy.stats.wilcoxon docs.
DARWIN_DIFFERENCES = [6, 8, 14, 16, 23, 24, 28, 29, 41, -48, 49, 56, 60, -67, 75]

# Hollander & Wolfe (1973), p. 69f, R's ?wilcox.test two-sample example: permeability
# constants of the human chorioamnion at term (x) and at 12-26 weeks' gestation (y).
PERMEABILITY_AT_TERM = [0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46]
PERMEABILITY_EARLY = [1.15, 0.88, 0.90, 0.74, 1.21]

# Krippendorff (2011), Computing Krippendorff's Alpha-Reliability, section C: four
# observers, twelve units, values 1-5, missing data (None).
KRIPPENDORFF_C = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]

# Krippendorff (2011), section B: two observers, ten units, binary data.
KRIPPENDORFF_B = [
    [0, 1, 0, 0, 0, 0, 0, 0, 1, 0],
    [1, 1, 1, 0, 0, 1, 0, 0, 0, 0],
]

# Three coders, fifteen units with missing values: the computational example of the
# Wikipedia article "Krippendorff's alpha" (after Krippendorff 2004) and of the README and
# tests of the `krippendorff` Python package.
KRIPPENDORFF_THREE_CODERS = [
    [None, None, None, None, None, 3, 4, 1, 2, 1, 1, 3, 3, None, 3],
    [1, None, 2, 1, 3, 3, 4, 3, None, None, None, None, None, None, None],
    [None, None, 2, 1, 3, 4, 4, None, 2, 1, 1, 3, 3, None, 4],
]

# pingouin's `cronbach_wide_missing` data set (12 respondents x 11 binary items, with
# missing answers), used in the example of pingouin.cronbach_alpha, whose results the
# pingouin authors checked against R's psych::alpha.
CRONBACH_WIDE_MISSING = [
    [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
    [1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0],
    [None, 0, 1, 1, None, 1, 1, 1, 1, 0, 0],
    [1, 1, 1, 0, 1, 1, 0, 1, 1, 0, 0],
    [1, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0],
    [0, 1, None, 0, 1, 1, 1, 1, 0, 0, 0],
    [1, 1, 1, 1, 0, 0, 1, 0, 0, 0, 0],
    [1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0],
    [0, 1, 0, 1, 1, 0, 0, 0, 0, 1, 0],
    [1, 0, 0, 1, 0, 1, 0, 0, None, 0, 0],
    [1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0],
    [1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0],
]
