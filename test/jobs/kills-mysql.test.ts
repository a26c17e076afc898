import { killsSuite } from './kills';

killsSuite('mysql');
