// Loaded after the @polkadot/types bundle and before the @polkadot/api bundle.
//
// The API bundle (v16) reads two internal modules of @polkadot/types through globals that
// its bundler named `constants` and `util$1` but no bundle defines: without them, decoding
// any storage value (api.query.*, system events) throws "Cannot read properties of
// undefined (reading 'unwrapStorageSi')". These are the two things it uses, as in
// @polkadot/types/util and @polkadot/types/extrinsic/constants.
globalThis['util$1'] = {
  unwrapStorageSi: (type) => (type.isPlain ? type.asPlain : type.asMap.value),
};
globalThis.constants = { LATEST_EXTRINSIC_VERSION: 4 };
