export { LineSplitter } from './lib/line-splitter';
