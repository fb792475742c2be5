// Stylesheets are imported for their side effect: Bun's bundler emits them as a CSS asset.
declare module "*.css";
