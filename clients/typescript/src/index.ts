export * from "./gen/topics.js";
