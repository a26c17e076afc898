import { killsSuite } from './kills';

killsSuite('sqlite');
