// Service templates are imported as text (`with { type: "text" }`) so `bun build --compile` embeds them.
declare module "*.service" {
  const text: string;
  export default text;
}
declare module "*.plist" {
  const text: string;
  export default text;
}
declare module "*.cmd" {
  const text: string;
  export default text;
}
