# Regenerates the logistic-regression references internal/risk is held to:
# each case's data as CSV and R's glm(family = binomial) answer in
# reference.json. Run from this folder: Rscript reference.R
# (R from Debian: apt-get install r-base-core r-cran-mass; jsonlite is not
# needed, the JSON is written by hand with 17 significant digits).
suppressMessages(library(MASS))

fmt <- function(x) formatC(x, digits = 17, format = "g")

cases <- list()
add <- function(name, data, label, features) {
  d <- data[, c(label, features)]
  write.csv(d, paste0(name, ".csv"), row.names = FALSE, quote = FALSE)
  f <- as.formula(paste(label, "~", paste(features, collapse = " + ")))
  warned <- FALSE
  fit <- withCallingHandlers(
    glm(f, data = d, family = binomial, control = glm.control(epsilon = 1e-14, maxit = 200)),
    warning = function(w) { warned <<- TRUE; invokeRestart("muffleWarning") })
  co <- coef(fit)
  coefs <- paste0('"', features, '": ', fmt(co[features]), collapse = ", ")
  cases[[length(cases) + 1]] <<- paste0(
    '  {"name": "', name, '", "csv": "', name, '.csv", "label": "', label, '", ',
    '"features": [', paste0('"', features, '"', collapse = ", "), '], ',
    '"intercept": ', fmt(co[1]), ', "coefficients": {', coefs, '}, ',
    '"logLik": ', fmt(as.numeric(logLik(fit))), ', "iterations": ', fit$iter, ', ',
    '"converged": ', tolower(fit$converged), ', "warned": ', tolower(warned), '}')
}

add("mtcars", mtcars, "am", c("hp", "wt"))
add("infert", infert, "case", c("age", "parity", "induced", "spontaneous"))
bw <- birthwt
bw$race_black <- as.integer(bw$race == 2)
bw$race_other <- as.integer(bw$race == 3)
add("birthwt", bw, "low", c("age", "lwt", "race_black", "race_other", "smoke", "ptl", "ht", "ui", "ftv"))
add("pima", rbind(Pima.tr, Pima.te) |> transform(diabetic = as.integer(type == "Yes")), "diabetic",
    c("npreg", "glu", "bp", "skin", "bmi", "ped", "age"))

# Completely separated: hp, wt and qsec split manual from automatic
# cars; R warns "algorithm did not converge" and "fitted probabilities
# numerically 0 or 1 occurred", and its logLik tends to 0.
add("mtcars_separated", mtcars, "am", c("hp", "wt", "qsec"))

writeLines(c("{", paste0('"r": "', R.version.string, '",'), '"cases": [', paste(cases, collapse = ",\n"), "]}"), "reference.json")
