import { killsSuite } from './kills';

killsSuite('postgres');
