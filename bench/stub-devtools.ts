// Stand-in for ink's optional react-devtools-core (loaded only with DEV=true) in the GPU bundle.
export default { initialize() {}, connectToDevTools() {} };
