// Package forecast owns per-SKU demand forecasting: exponential smoothing
// state space models chosen by AICc (AutoETS), seasonal ARIMA chosen by
// unit-root tests and a stepwise AICc search (AutoARIMA), the standard
// Theta method, Croston's method and its intermittent-demand relatives
// (SBA, TSB, ADIDA, IMAPA), Naive and SeasonalNaive, all with prediction
// intervals, and the choice of a model per series by rolling-origin
// backtest (Select).
//
// The models are written by hand over gonum (gonum.org/v1/gonum: Nelder-Mead
// from optimize, normal quantiles from stat/distuv, eigenvalues from mat)
// because no maintained Go library fits ETS, seasonal ARIMA by exact
// likelihood, Theta or the intermittent-demand methods. They follow the
// definitions of R's forecast package and of statsforecast, and the tests
// hold them to reference outputs generated with statsforecast
// (testdata/gen_reference.py, testdata/reference.json;
// testdata/gen_reference_arima.py, testdata/arima_reference.json).
//
// Other models plug in through Register: a Method is a function of the
// history, the season length, the horizon and the interval levels.
package forecast
