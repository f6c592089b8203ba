//! Tests of CES: the recursion, the forms and the automatic choice against statsforecast, names
//! as statsforecast writes them, short and constant series, and property tests.

use super::*;

// AirPassengers (Box & Jenkins), as `AIR` in core/tests/forecast.rs.
use omo_test_support::AIR_PASSENGERS as AIR;

fn close(a: f64, b: f64, relative: f64) -> bool {
    (a - b).abs() <= relative * b.abs().max(1e-12)
}

#[test]
fn the_recursion_and_backcasting_match_statsforecast_for_given_parameters() {
    // statsforecast 2.1.1 at fixed parameters on AirPassengers (season 12; 1 for N):
    // `pegelsresid_ces(y, m, initstate(y, m, form), ...)` gives the likelihood n log(SSE) and
    // the residuals (fitted = y - e), then `cesforecast(states, 144, m, ...)` the forecasts;
    // steps 1, 6 and 12 here. Same arithmetic, so to 1e-9 (rounding only).
    // The form, its parameters, the likelihood, the first fitted value, forecasts 1, 6, 12.
    type Case = (CesForm, [f64; 4], f64, f64, [f64; 3]);
    let cases: [Case; 4] = [
        (
            CesForm::N,
            [1.7, 0.98, 0.0, 0.0],
            1760.8885752087265,
            111.8103280813315,
            [424.0840312109822, 397.37153846647857, 370.2014550182855],
        ),
        (
            CesForm::S,
            [1.5, 1.1, 0.0, 0.0],
            1725.3651716156191,
            144.84476696088038,
            [419.6548424655136, 545.049470033566, 450.68211586657566],
        ),
        (
            CesForm::P,
            [1.6, 1.0, 0.7, 0.0],
            1468.3202549701073,
            113.548442255789,
            [445.2677519618728, 564.7173919303907, 431.19190749018287],
        ),
        (
            CesForm::F,
            [1.27, 1.0, 1.4, 1.13],
            1461.7487491898457,
            126.76498231310298,
            [449.24974421956887, 579.1394515754066, 457.71587856506915],
        ),
    ];
    for (form, p, lik, first_fitted, steps) in cases {
        let lag = if form.is_seasonal() { 12 } else { 1 };
        let model = Ces { form, lag, p: Smoothing::from_values(&p) };
        let (mut states, mut fitted) = (Vec::new(), Vec::new());
        let sse = model.run(&AIR, &initial_states(&AIR, form, lag), &mut states, Some(&mut fitted));
        assert!(close(likelihood(AIR.len(), sse), lik, 1e-9), "{form:?} {} {lik}", likelihood(AIR.len(), sse));
        assert!(close(fitted[0], first_fitted, 1e-9), "{form:?} {} {first_fitted}", fitted[0]);
        let mean = model.forecasts(&states, 12);
        for (got, want) in [mean[0], mean[5], mean[11]].iter().zip(steps) {
            assert!(close(*got, want, 1e-9), "{form:?} {got} {want}");
        }
    }
}

/// The fit of `form` on AirPassengers at season `m`, through the public entry point.
fn air(method: super::super::Method, m: usize) -> super::super::Forecast {
    let options = super::super::ForecastOptions { season_length: m, ..super::super::ForecastOptions::new(12) };
    super::super::forecast(&AIR, method, &options).unwrap_or_else(|e| unreachable!("{e}"))
}

fn param(f: &super::super::Forecast, name: &str) -> f64 {
    f.params.iter().find(|(n, _)| n == name).map_or(f64::NAN, |(_, v)| *v)
}

/// Asserts the forecasts agree with statsforecast's to `relative`.
fn assert_forecasts(f: &super::super::Forecast, want: &[f64], relative: f64) {
    for (step, (got, want)) in f.mean.iter().zip(want).enumerate() {
        assert!(close(*got, *want, relative), "{}: step {}: {got} vs statsforecast {want}", f.model, step + 1);
    }
}

// statsforecast 2.1.1, `auto_ces(AIR, m, model=form)` then `forecast_ces(fit, 12)["mean"]`
// (as `AutoCES(season_length=m, model=form).fit(AIR).predict(12)`).
const SF_N: [f64; 12] = [
    425.4909760014,
    418.2376632986,
    417.2021931631,
    411.3090178967,
    409.318647909,
    404.3007436773,
    401.7368543333,
    397.2903964647,
    394.3911980117,
    390.3256516235,
    387.2397769754,
    383.4355028551,
];
const SF_S: [f64; 12] = [
    445.9959190536,
    422.5180963964,
    480.0863150402,
    501.8883868553,
    523.1925198957,
    582.5258965219,
    680.0173396825,
    674.3641352307,
    568.9664146564,
    506.7554732616,
    441.774577389,
    494.7745368905,
];
const SF_P: [f64; 12] = [
    452.3481792126,
    445.4566536468,
    493.0679798555,
    544.5513956038,
    531.8830132033,
    590.8364035761,
    668.3814380249,
    642.8337473793,
    539.4133752898,
    473.5585798212,
    396.972216268,
    454.5886143852,
];
const SF_F: [f64; 12] = [
    453.018220471,
    429.3229176503,
    488.6276696006,
    500.2763761581,
    519.7828275456,
    586.4556074966,
    677.020785865,
    676.1678993109,
    563.6383163707,
    501.2504049122,
    435.9471987402,
    481.609156633,
];

#[test]
fn auto_ces_chooses_and_forecasts_as_statsforecast_on_air_passengers() {
    // AutoCES(season_length=12): statsforecast chooses F (AICc 1433.3607, alpha 1.27342 +
    // 1.00940i, beta 1.49967 + 1.13188i, sigma^2 141.7658). The optimisers stop at slightly
    // different points of a flat likelihood (ours 1.27641 + 1.00949i, 1.49998 + 1.13196i), which
    // moves the forecasts by under 0.11 %: asserted to 0.5 %, the AICc to 0.1, the
    // parameters to 1 %.
    let f = air(super::super::Method::AutoCes, 12);
    assert_eq!(f.model, "CES(F)");
    assert_forecasts(&f, &SF_F, 0.005);
    assert!((param(&f, "aicc") - 1433.3606881613962).abs() < 0.1, "{:?}", f.params);
    for (name, want) in [
        ("alpha_0", 1.27342365872632),
        ("alpha_1", 1.0094040578540509),
        ("beta_0", 1.4996704014704592),
        ("beta_1", 1.1318820823256803),
    ] {
        assert!(close(param(&f, name), want, 0.01), "{name}: {:?}", f.params);
    }
    // One step ahead the error's spread is sigma, sqrt(141.7657736703082).
    assert!(close(f.sd[0], 141.7657736703082f64.sqrt(), 0.005), "{:?}", f.sd);
    assert_eq!(f, air(super::super::Method::Ces(CesForm::F), 12));
}

#[test]
fn each_form_forecasts_as_statsforecast_on_air_passengers() {
    // AutoCES(season_length=12, model="N"/"S"): alpha 1.8 (the bound) + 0.98393i, AICc
    // 1753.4377, sigma^2 1328.9589; alpha 1.8 + 1.19390i, AICc 1589.5174, sigma^2 425.7345. Ours
    // stop at 1.79999 + 0.98424i and 1.79999 + 1.19406i: the forecasts within 0.3 % (N) and
    // 0.02 % (S), asserted to 0.5 %.
    let n = air(super::super::Method::Ces(CesForm::N), 12);
    assert_eq!(n.model, "CES(N)");
    assert_forecasts(&n, &SF_N, 0.005);
    assert!((param(&n, "aicc") - 1753.437695197514).abs() < 0.1, "{:?}", n.params);
    assert!(close(n.sd[0], 1328.9588506959699f64.sqrt(), 0.005), "{:?}", n.sd);
    let s = air(super::super::Method::Ces(CesForm::S), 12);
    assert_eq!(s.model, "CES(S)");
    assert_forecasts(&s, &SF_S, 0.005);
    assert!((param(&s, "aicc") - 1589.5174439283535).abs() < 0.1, "{:?}", s.params);
    assert!(close(s.sd[0], 425.73454463018396f64.sqrt(), 0.005), "{:?}", s.sd);
    // Season 1: every form, and AutoCES, is N (statsforecast: the same fit as above).
    for method in [super::super::Method::AutoCes, super::super::Method::Ces(CesForm::F)] {
        let one = air(method, 1);
        assert_eq!(one.model, "CES(N)");
        assert_forecasts(&one, &SF_N, 0.005);
    }
}

#[test]
fn partial_form_finds_a_better_optimum_than_statsforecast_on_air_passengers() {
    // AutoCES(season_length=12, model="P"): statsforecast stops after 65 iterations at alpha
    // 1.8 (the bound) + 1.00787i, beta 0.72582, AICc 1490.6441, whose likelihood n log(SSE) is
    // 1482.3563 (its own `pegelsresid_ces` at those parameters); our search goes on to
    // 1.35500 + 1.00887i, beta 0.89458, of likelihood 1427.1207 by statsforecast's own
    // arithmetic (AICc 1435.41). Its forecasts then differ by up to 7 %; at statsforecast's
    // parameters ours reproduce its forecasts to rounding.
    let p = air(super::super::Method::Ces(CesForm::P), 12);
    assert_eq!(p.model, "CES(P)");
    assert!(param(&p, "aicc") < 1490.64405598954 - 50.0, "{:?}", p.params);
    let theirs =
        Ces { form: CesForm::P, lag: 12, p: Smoothing::from_values(&[1.8, 1.0078683310352061, 0.7258207103754214]) };
    let mut states = Vec::new();
    let sse = theirs.run(&AIR, &initial_states(&AIR, CesForm::P, 12), &mut states, None);
    assert!(close(likelihood(AIR.len(), sse), 1482.3562862053673, 1e-9));
    let mean = theirs.forecasts(&states, 12);
    for (got, want) in mean.iter().zip(&SF_P) {
        assert!(close(*got, *want, 1e-6), "{got} {want}");
    }
}

#[test]
fn names_and_forms_read_as_statsforecast_writes_them() -> Result<(), serde_json::Error> {
    assert_eq!(super::super::Method::from_name("auto_ces").ok(), Some(super::super::Method::AutoCes));
    assert_eq!(serde_json::to_string(&CesForm::P)?, "\"P\"");
    let method: super::super::Method = serde_json::from_str(r#"{"ces":"F"}"#)?;
    assert_eq!(method, super::super::Method::Ces(CesForm::F));
    Ok(())
}

#[test]
fn short_constant_and_zero_series_give_finite_forecasts() {
    let options = |m| super::super::ForecastOptions {
        season_length: m,
        levels: vec![80.0, 95.0],
        ..super::super::ForecastOptions::new(14)
    };
    let series: [&[f64]; 7] = [
        &[5.0],
        &[1.0, 2.0],
        &[3.0, 3.0, 3.0],
        &[0.0; 30],
        &[7.0; 40],
        &[1.0, 2.0, 3.0, 4.0],
        &[1.0, 2.0, 3.0, 4.0, 5.0],
    ];
    for y in series {
        for m in [1, 2, 12] {
            for method in [
                super::super::Method::AutoCes,
                super::super::Method::Ces(CesForm::F),
                super::super::Method::Ces(CesForm::S),
            ] {
                let f = super::super::forecast(y, method, &options(m)).unwrap_or_else(|e| unreachable!("{e}"));
                assert!(f.mean.iter().chain(&f.sd).chain(&f.fitted).all(|v| v.is_finite()), "{y:?} {m} {f:?}");
            }
        }
    }
    // A constant series is forecast as itself.
    let f = super::super::forecast(&[7.0; 40], super::super::Method::AutoCes, &options(12))
        .unwrap_or_else(|e| unreachable!("{e}"));
    assert!(f.mean.iter().all(|v| (v - 7.0).abs() < 1e-6), "{f:?}");
}

/// The series of a long `unique_id,ds,y` file, in order of appearance.
fn read_panel(path: &str) -> Vec<(String, Vec<f64>)> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut series: Vec<(String, Vec<f64>)> = Vec::new();
    for line in text.lines().skip(1) {
        let mut fields = line.split(',');
        let (Some(id), Some(_), Some(value)) = (fields.next(), fields.next(), fields.next()) else { continue };
        let Ok(value) = value.parse::<f64>() else { continue };
        match series.last_mut() {
            Some((last, values)) if last == id => values.push(value),
            _ => series.push((id.to_owned(), vec![value])),
        }
    }
    series
}

#[test]
#[ignore = "measures accuracy and time on the tourism monthly training data: run by hand"]
fn tourism_monthly_accuracy_and_time() {
    // The last 24 values of each series of the training part held out, AutoCES at season 12 on
    // the rest; sMAPE (percent) averaged over the series, and the time of the fits. Measured
    // (debug profile, one thread): sMAPE 25.45 in 1.2 s; statsforecast 2.1.1's
    // `StatsForecast([AutoCES(season_length=12)], freq="MS", n_jobs=1).forecast(h=24)` 25.30
    // in 6.3 s.
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data/tourism_monthly_train.csv");
    let panel = read_panel(path);
    assert!(!panel.is_empty(), "no data at {path}");
    let started = std::time::Instant::now();
    let mut total = 0.0;
    let mut chosen = [0usize; 5];
    let mut criteria = 0.0;
    for (_, y) in &panel {
        let (train, test) = y.split_at(y.len().saturating_sub(24));
        let fit = ces(train, None, 12, 24);
        let form = fit.params.iter().find(|(n, _)| n == "form").map_or(4, |(_, v)| *v as usize);
        chosen[form.min(4)] += 1;
        criteria += fit.params.iter().find(|(n, _)| n == "aicc").map_or(f64::NAN, |(_, v)| *v);
        total += super::super::smape(test, &fit.mean).unwrap_or(f64::NAN);
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "AutoCES on {} series: sMAPE {:.3}, {seconds:.2} s; forms chosen N/S/P/F/other {chosen:?}, mean AICc {:.3}",
        panel.len(),
        total / panel.len() as f64,
        criteria / panel.len() as f64
    );
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 64, ..proptest::prelude::ProptestConfig::default() })]

    #[test]
    fn forecasts_are_finite_and_intervals_nested(
        y in proptest::collection::vec(-1e4f64..1e4, 1..60),
        m in proptest::sample::select(vec![1usize, 2, 4, 12]),
        which in 0usize..5,
    ) {
        let method = CesForm::ALL.get(which).map_or(super::super::Method::AutoCes, |f| super::super::Method::Ces(*f));
        let options = super::super::ForecastOptions { season_length: m, levels: vec![80.0, 95.0], ..super::super::ForecastOptions::new(24) };
        let f = super::super::forecast(&y, method, &options).unwrap_or_else(|e| unreachable!("{e}"));
        proptest::prop_assert!(f.mean.iter().chain(&f.sd).chain(&f.fitted).all(|v| v.is_finite()), "{:?}", f);
        let (eighty, ninety_five) = (&f.intervals[0], &f.intervals[1]);
        for k in 0..24 {
            proptest::prop_assert!(ninety_five.lower[k] <= eighty.lower[k] && eighty.upper[k] <= ninety_five.upper[k]);
        }
    }
}
