// CommonJS, no loader: require() gets the package, the same module instance that import() gets.
// Prints one JSON line for the consumer test to judge.
const { FaultgateError, isFaultgateError, parseTarget, loadScenarios } = require('faultgate');

let refused = '';
try {
  parseTarget('not a url');
} catch (error) {
  refused = isFaultgateError(error) && error instanceof FaultgateError ? error.message : `not a FaultgateError: ${error}`;
}
loadScenarios().then(async (scenarios) => {
  const esm = await import('faultgate');
  console.log(JSON.stringify({ refused, scenarios: scenarios.length, sameModule: esm.FaultgateError === FaultgateError }));
});
